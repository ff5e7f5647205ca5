// Renders the TUI with ink-testing-library against a fake routed, at a chosen terminal size, and
// drives it with real key sequences (the bytes a terminal sends). Waits poll the rendered frame
// with a deadline: no fixed sleeps.
import { render } from "ink-testing-library";
import { App } from "../App.tsx";
import { displayWidth } from "../format.ts";
import { createTheme, ThemeContext } from "../theme.ts";
import { createFakeClient, type FakeRouted } from "./fake-client.ts";

export const KEYS: Record<string, string> = {
  up: "\x1b[A",
  down: "\x1b[B",
  "shift+up": "\x1b[1;2A",
  "shift+down": "\x1b[1;2B",
  pageup: "\x1b[5~",
  pagedown: "\x1b[6~",
  home: "\x1b[H",
  end: "\x1b[F",
  enter: "\r",
  escape: "\x1b",
  tab: "\t",
  "shift+tab": "\x1b[Z",
  backspace: "\x7f",
  space: " ",
  "ctrl+c": "\x03",
  "ctrl+u": "\x15",
};

const ANSI = /\x1b\[[0-9;]*m/g;

export interface Harness {
  fake: FakeRouted;
  frame(): string;
  /** How many frames Ink has drawn so far. */
  renders(): number;
  /** The frame's text without colour codes. */
  text(): string;
  press(key: string): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(what: string | RegExp | (() => boolean), ms?: number): Promise<void>;
  resize(width: number, height: number): void;
  exited(): boolean;
  unmount(): void;
}

export async function renderApp(opts: { fake?: FakeRouted; width?: number; height?: number; ascii?: boolean; color?: boolean; tailCap?: number; connected?: boolean } = {}): Promise<Harness> {
  const fake = opts.fake ?? createFakeClient();
  let quit = false;
  const theme = createTheme({ color: opts.color ?? true, ascii: opts.ascii ?? false });
  const inst = render(
    <ThemeContext.Provider value={theme}>
      <App client={fake.client} tailCap={opts.tailCap} onQuit={() => (quit = true)} />
    </ThemeContext.Provider>,
  );
  const frame = () => inst.lastFrame() ?? "";
  const text = () => frame().replace(ANSI, "");
  const resize = (width: number, height: number) => {
    Object.defineProperty(inst.stdout, "columns", { value: width, configurable: true });
    Object.defineProperty(inst.stdout, "rows", { value: height, configurable: true });
    inst.stdout.emit("resize");
  };
  async function waitFor(what: string | RegExp | (() => boolean), ms = 2000) {
    const ok = typeof what === "function" ? what : () => (typeof what === "string" ? text().includes(what) : what.test(text()));
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; screen:\n${text()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  // Lets React run effects and Ink read input between keys, as a terminal's pace would.
  const settle = () => new Promise((r) => setTimeout(r, 30));
  const h: Harness = {
    fake,
    frame,
    text,
    renders: () => inst.frames.length,
    async press(key) {
      inst.stdin.write(KEYS[key] ?? key);
      await settle();
    },
    async type(s) {
      for (const ch of s) inst.stdin.write(ch);
      await settle();
    },
    waitFor,
    resize,
    exited: () => quit,
    unmount: () => inst.unmount(),
  };
  resize(opts.width ?? 80, opts.height ?? 24);
  if (opts.connected !== false) await waitFor(() => fake.client.state === "connected" && text().includes("connected"));
  return h;
}

/** Every line of the frame fits the terminal, and there are no more lines than rows. */
export function fits(h: Harness, width: number, height: number): boolean {
  const lines = h.text().split("\n");
  return lines.length <= height && lines.every((l) => displayWidth(l) <= width);
}
