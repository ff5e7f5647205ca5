// If a bug throws while rendering, the operator gets one plain sentence and a way out instead of
// a stack trace drawn over the screen; the details go to stderr once the terminal is restored.
import { Box, Text, useInput } from "ink";
import { Component, type ReactNode } from "react";

function Crashed({ error, onQuit }: { error: Error; onQuit: () => void }) {
  useInput(() => onQuit());
  return (
    <Box flexDirection="column">
      <Text bold>route-tui stopped on an internal error: {error.message}</Text>
      <Text>routed is not affected. Press any key to quit; details are printed after the screen is restored.</Text>
    </Box>
  );
}

export class ErrorScreen extends Component<{ children: ReactNode; onCrash: (err: Error) => void; onQuit: () => void }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override componentDidCatch(error: Error) {
    this.props.onCrash(error);
  }
  override render() {
    return this.state.error ? <Crashed error={this.state.error} onQuit={this.props.onQuit} /> : this.props.children;
  }
}
