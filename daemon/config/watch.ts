// Hot reload: watches the config file and calls `reload` shortly after it settles. Editors save in
// several ways (rewrite in place, write a temp file and rename over), so the directory is watched
// and events for the file's name are debounced.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export function watchConfigFile(file: string, reload: () => void, debounceMs = 300): { close: () => void } {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(path), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(reload, debounceMs);
    });
  } catch {
    // Directory missing or not watchable: SIGHUP and config.reload still work.
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
