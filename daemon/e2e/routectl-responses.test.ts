// routectl add / edit --responses / --no-responses (on the database, routed down): the setting
// reaches the stored upstream and its export; without either flag it stays unset (the type decides).
import { expect, test } from "bun:test";
import { join } from "node:path";
import { shortTempDir } from "./control-harness.ts";
import { routectl } from "./processes.ts";

test("add --no-responses, edit --responses; export writes the setting; no flag leaves it unset", async () => {
  const dir = shortTempDir();
  const db = join(dir, "db.sqlite");
  const ctl = (...args: string[]) => routectl(["--socket", join(dir, "none.sock"), "--db", db, ...args]);
  const plain = await ctl("add", "--json", "--name", "plain", "--endpoint", "https://api.openai.com/v1", "--sk", "sk-resp-plain-0000aaaa");
  expect(plain.code).toBe(0);
  expect(plain.json()).toMatchObject({ name: "plain", responses: null });

  const vllm = await ctl("add", "--json", "--name", "vllm", "--endpoint", "https://vllm.example/v1", "--sk", "sk-resp-vllm-0000aaaa", "--no-responses");
  expect(vllm.code).toBe(0);
  expect(vllm.json()).toMatchObject({ name: "vllm", responses: false });
  let exported = await ctl("export", "--db", db);
  expect(exported.code).toBe(0);
  expect(exported.out).toContain("responses: false");
  expect(exported.out.match(/responses:/g)).toHaveLength(1); // the unset one is left out

  const edited = await ctl("edit", "vllm", "--json", "--responses");
  expect(edited.code).toBe(0);
  expect(edited.json()).toMatchObject({ name: "vllm", responses: true, endpoint: "https://vllm.example/v1" });
  const untouched = await ctl("edit", "vllm", "--json", "--weight", "2");
  expect(untouched.json()).toMatchObject({ responses: true, weight: 2 });
  const listed = (await ctl("list", "--json")).json();
  expect(listed.map((u: { responses: boolean | null }) => u.responses)).toEqual([null, true]);
  exported = await ctl("export", "--db", db);
  expect(exported.out).toContain("responses: true");
});
