import { expect, test } from "bun:test";
import { render } from "ink-testing-library";
import { ErrorScreen } from "./ErrorScreen.tsx";

function Broken(): never {
  throw new Error("a bug in a screen");
}

test("a render error shows one sentence and a way out, not a stack trace", async () => {
  const crashes: Error[] = [];
  let quit = false;
  const original = console.error;
  console.error = () => {}; // React reports the caught error too; not this test's output
  try {
    const inst = render(
      <ErrorScreen onCrash={(e) => crashes.push(e)} onQuit={() => (quit = true)}>
        <Broken />
      </ErrorScreen>,
    );
    const deadline = Date.now() + 2000;
    while (!inst.lastFrame()?.includes("internal error") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(inst.lastFrame()).toContain("route-tui stopped on an internal error: a bug in a screen");
    expect(inst.lastFrame()).not.toContain("at Broken");
    expect(crashes.map((e) => e.message)).toEqual(["a bug in a screen"]);
    inst.stdin.write("x");
    while (!quit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(quit).toBe(true);
    inst.unmount();
  } finally {
    console.error = original;
  }
});
