// routectl add / edit --type (on the database, routed down): the Anthropic and Gemini types reach
// the stored upstream and its export; an unknown type exits 2 naming --type.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { shortTempDir } from "./control-harness.ts";
import { routectl } from "./processes.ts";

test("add --type anthropic, edit --type gemini, export writes the type; an unknown type is refused naming --type", async () => {
  const dir = shortTempDir();
  const db = join(dir, "db.sqlite");
  const ctl = (...args: string[]) => routectl(["--socket", join(dir, "none.sock"), "--db", db, ...args]);
  const added = await ctl("add", "--json", "--name", "claude", "--type", "anthropic", "--endpoint", "https://api.anthropic.com/v1", "--sk", "sk-ant-types-0000aaaa");
  expect(added.code).toBe(0);
  expect(added.json()).toMatchObject({ name: "claude", type: "anthropic" });

  const edited = await ctl("edit", "claude", "--json", "--type", "gemini", "--endpoint", "https://generativelanguage.googleapis.com/v1beta/openai");
  expect(edited.code).toBe(0);
  expect(edited.json()).toMatchObject({ type: "gemini", endpoint: "https://generativelanguage.googleapis.com/v1beta/openai" });
  expect((await ctl("list", "--json")).json()[0]).toMatchObject({ type: "gemini" });
  const exported = await ctl("export", "--db", db);
  expect(exported.code).toBe(0);
  expect(exported.out).toContain("type: gemini");

  const bad = await ctl("edit", "claude", "--type", "bedrock");
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/--type: .*"anthropic"|"gemini"/);
});
