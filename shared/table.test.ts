import { describe, expect, test } from "bun:test";
import { displayWidth, renderTable, truncate } from "./table.ts";

describe("tables", () => {
  test("aligned, right-aligned numbers, trailing spaces trimmed", () => {
    const out = renderTable([{ header: "#", align: "right" }, { header: "NAME" }, { header: "MS", align: "right" }], [["1", "main", "812"], ["10", "b", "7"]]);
    expect(out.split("\n")).toEqual([" #  NAME   MS", " 1  main  812", "10  b       7"]);
  });

  test("too wide: the flexible column shrinks with an ellipsis, every line fits", () => {
    const long = `https://very-long-reseller.example.com/${"x".repeat(80)}/v1`;
    const out = renderTable([{ header: "ID" }, { header: "ENDPOINT", flex: true }, { header: "KEY" }], [["1", long, "****abcd"]], { maxWidth: 40 });
    for (const line of out.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(out).toContain("…");
    expect(out).toContain("****abcd");
  });

  test("wide characters count as two cells", () => {
    expect(displayWidth("备用")).toBe(4);
    expect(truncate("备用API端点", 6)).toBe("备用A…");
    expect(truncate("a\nb", 5)).toBe("a b");
  });
});
