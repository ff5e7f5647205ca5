// Hot reload: watches the config file and calls `reload` shortly after it settles. The file itself
// is watched, not its directory: the default layout keeps db.sqlite (and its busy WAL) beside
// upstreams.yaml, and a directory watch woke on every log write. Editors that save by writing a
// new file and renaming it over the old one end the watch with the old file, so a "rename" re-arms
// it on whatever is at the path now; while no file is there, the directory is watched for it.
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export function watchConfigFile(file: string, reload: () => void, debounceMs = 300): { close: () => void } {
  const path = resolve(file);
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | null = null;
  let closed = false;

  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  };

  function arm(): void {
    watcher?.close();
    watcher = null;
    if (closed) return;
    try {
      watcher = watch(path, (event) => {
        changed();
        if (event === "rename") arm(); // replaced or removed: this watch went with the old file
      });
      return;
    } catch {
      // No file at the path (yet): wait for one to appear.
    }
    try {
      watcher = watch(dirname(path), (_event, entry) => {
        if (entry !== name) return;
        changed();
        arm();
      });
    } catch {
      // Directory missing or not watchable: SIGHUP and config.reload still work.
    }
  }

  arm();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
