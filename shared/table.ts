// Plain-text tables that fit a terminal width: columns sized to their content, flexible columns
// shrunk (with "…") when the table is too wide. Widths are display cells, so CJK names and emoji
// in upstream names or replies do not break the alignment. Colour is applied after padding.

export interface Column {
  header: string;
  align?: "left" | "right";
  /** Fixed width in cells; otherwise sized to the widest cell. */
  width?: number;
  /** Gives up width when the table is too wide (down to `min`). */
  flex?: boolean;
  min?: number;
}

export type Style = (text: string, row: number, col: number) => string;

const GAP = "  ";

export const displayWidth = (s: string): number => Bun.stringWidth(s);

/** Cuts `s` to at most `width` cells, ending in "…" when cut. Newlines and tabs become spaces. */
export function truncate(s: string, width: number): string {
  const flat = s.replace(/[\r\n\t]+/g, " ");
  if (displayWidth(flat) <= width) return flat;
  if (width <= 0) return "";
  let out = "";
  let used = 0;
  for (const ch of flat) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

function pad(s: string, width: number, align: "left" | "right" = "left"): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return align === "right" ? fill + s : s + fill;
}

/** Column widths for `rows` within `maxWidth` cells. */
export function fitWidths(columns: Column[], rows: string[][], maxWidth: number): number[] {
  const widths = columns.map((c, i) => c.width ?? Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth((r[i] ?? "").replace(/[\r\n\t]+/g, " ")))));
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (columns.length - 1) - maxWidth;
  // Take from the widest flexible column first, one cell at a time: fair and simple.
  while (excess > 0) {
    let widest = -1;
    columns.forEach((c, i) => {
      if (c.flex && widths[i]! > (c.min ?? 8) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    });
    if (widest < 0) break;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

/** One line of a table whose widths are known (also for rows printed as they arrive). */
export function renderRow(columns: Column[], widths: number[], cells: string[], style?: Style, rowIndex = 0): string {
  return columns
    .map((c, i) => {
      const text = pad(truncate(cells[i] ?? "", widths[i]!), widths[i]!, c.align);
      return style ? style(text, rowIndex, i) : text;
    })
    .join(GAP)
    .trimEnd();
}

export function renderTable(columns: Column[], rows: string[][], opts: { maxWidth?: number; style?: Style } = {}): string {
  const widths = fitWidths(columns, rows, opts.maxWidth ?? 80);
  const header = renderRow(columns, widths, columns.map((c) => c.header));
  return [header, ...rows.map((r, i) => renderRow(columns, widths, r, opts.style, i))].join("\n");
}
