// The terminal's size, updated on resize. Below 80×24 the layout still renders (clipped), since an
// operator resizing a pane should not crash the UI.
import { useWindowSize } from "ink";

export function useSize(): { width: number; height: number } {
  const { columns, rows } = useWindowSize();
  return { width: Math.max(40, columns), height: Math.max(10, rows) };
}
