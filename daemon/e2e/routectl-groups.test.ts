// routectl add --group and edit (here on the database, routed down): groups reach the stored
// upstream, edit changes only what it is given, and bad values exit 2 naming the flag.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { shortTempDir } from "./control-harness.ts";
import { routectl } from "./processes.ts";

test("add --group, edit --group / --weight, and a bad group refused naming --group", async () => {
  const dir = shortTempDir();
  const ctl = (...args: string[]) => routectl(["--socket", join(dir, "none.sock"), "--db", join(dir, "db.sqlite"), ...args]);
  const added = await ctl("add", "--json", "--name", "r", "--endpoint", "https://reseller.example/v1", "--sk", "sk-groups-0000aaaa", "--group", "default, vip");
  expect(added.code).toBe(0);
  expect(added.json()).toMatchObject({ name: "r", groups: ["default", "vip"], weight: null });

  const edited = await ctl("edit", "r", "--json", "--group", "cheap", "--weight", "3");
  expect(edited.code).toBe(0);
  expect(edited.json()).toMatchObject({ name: "r", groups: ["cheap"], weight: 3, endpoint: "https://reseller.example/v1" });
  expect((await ctl("list", "--json")).json()[0]).toMatchObject({ groups: ["cheap"], weight: 3 });

  const bad = await ctl("edit", "r", "--group", "no spaces");
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("--group: must be a group name");
  const nothing = await ctl("edit", "r");
  expect(nothing.code).toBe(2);
  expect(nothing.err).toContain("nothing to change");
});
