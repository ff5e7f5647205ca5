// The selected row of a list, held as an id: it follows its item when the list is re-read or
// reordered, and when the item disappears (deleted) the same row index stays selected.
import { useRef } from "react";

export function useSelection<T extends { id: number }>(list: T[], selectedId: number | null, setSelectedId: (id: number | null) => void) {
  const lastIndex = useRef(0);
  let index = list.findIndex((x) => x.id === selectedId);
  if (index < 0) index = Math.max(0, Math.min(lastIndex.current, list.length - 1));
  lastIndex.current = index;
  const select = (i: number) => list.length && setSelectedId(list[Math.max(0, Math.min(list.length - 1, i))]!.id);
  return { index, selected: list[index] as T | undefined, select };
}

/** The bindings list screens share: move the selection; add, edit, delete and details open a mode. */
export function listBindings<M extends string>(sel: { index: number; select: (i: number) => unknown; selected: unknown }, open: (m: "add" | "edit" | "delete" | M) => void, details: () => void) {
  return {
    up: () => sel.select(sel.index - 1),
    down: () => sel.select(sel.index + 1),
    add: () => open("add"),
    edit: () => sel.selected && open("edit"),
    details: () => sel.selected && details(),
    delete: () => sel.selected && open("delete"),
  };
}
