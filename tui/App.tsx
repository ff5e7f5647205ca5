// The whole TUI: tab bar, the banner while routed is away, the current screen, the status bar.
// Every screen stays mounted (hidden ones render nothing) so its selection, filter and tail
// survive switching; the data shared by screens (connection, stats, upstream list) lives here.
import { Box, useApp, useInput } from "ink";
import { useEffect, useRef, useState } from "react";
import type { DaemonClient } from "./client.ts";
import { Banner, bannerLines, bannerText } from "./components/Banner.tsx";
import { HelpOverlay } from "./components/HelpOverlay.tsx";
import { StatusBar } from "./components/StatusBar.tsx";
import { SCREENS, TabBar, type ScreenName } from "./components/TabBar.tsx";
import { useDaemon } from "./hooks/use-daemon.ts";
import { useClientKeys } from "./hooks/use-client-keys.ts";
import { useKeys } from "./hooks/use-keys.ts";
import { useNodes } from "./hooks/use-nodes.ts";
import { useSize } from "./hooks/use-size.ts";
import { useHistory } from "./hooks/use-history.ts";
import { useStats } from "./hooks/use-stats.ts";
import { useUpstreams } from "./hooks/use-upstreams.ts";
import { DEFAULT_TAIL_CAP } from "./log-tail.ts";
import { KeysScreen } from "./screens/KeysScreen.tsx";
import { NodesScreen } from "./screens/NodesScreen.tsx";
import { LogsScreen } from "./screens/LogsScreen.tsx";
import { StatsScreen } from "./screens/StatsScreen.tsx";
import { UpstreamsScreen } from "./screens/UpstreamsScreen.tsx";
import { useTheme } from "./theme.ts";

export interface AppProps {
  client: DaemonClient;
  tailCap?: number;
  initialScreen?: ScreenName;
  /** Called once when the user quits, before Ink unmounts. */
  onQuit?: () => void;
}

export function App({ client, tailCap = DEFAULT_TAIL_CAP, initialScreen = "Upstreams", onQuit }: AppProps) {
  const { exit } = useApp();
  const { width, height } = useSize();
  const theme = useTheme();
  const conn = useDaemon(client);
  const { stats, history } = useStats(client, conn.generation);
  const ups = useUpstreams(client, conn.generation, stats);
  const [screen, setScreen] = useState<ScreenName>(initialScreen);
  const keys = useClientKeys(client, conn.generation, stats, screen === "Keys");
  const nodes = useNodes(client, conn.generation, stats, screen === "Nodes");
  const longHistory = useHistory(client, conn.generation, screen === "Stats");
  const [help, setHelp] = useState(false);
  const [captured, setCaptured] = useState<Partial<Record<ScreenName, boolean>>>({});
  const [selectedUpstream, setSelectedUpstream] = useState<number | null>(null);
  const [selectedKey, setSelectedKey] = useState<number | null>(null);
  const quitting = useRef(false);

  useEffect(() => {
    if (screen === "Logs" && conn.generation > 0) void keys.refresh(); // names for the key filter
  }, [screen]);

  const quit = () => {
    if (quitting.current) return;
    quitting.current = true;
    onQuit?.();
    exit();
  };
  const capture = Boolean(captured[screen]);
  const captureFor = (s: ScreenName) => (on: boolean) => setCaptured((c) => (c[s] === on ? c : { ...c, [s]: on }));
  const go = (by: number) => setScreen((s) => SCREENS[(SCREENS.indexOf(s) + by + SCREENS.length) % SCREENS.length]!);

  useInput((input, key) => key.ctrl && input === "c" && quit()); // even inside a form
  useKeys(
    "global",
    {
      nextScreen: () => go(1),
      prevScreen: () => go(-1),
      screen1: () => setScreen("Upstreams"),
      screen2: () => setScreen("Logs"),
      screen3: () => setScreen("Stats"),
      screen4: () => setScreen("Keys"),
      screen5: () => setScreen("Nodes"),
      help: () => setHelp((h) => !h),
      quit,
    },
    !capture,
  );

  const banner = bannerText(conn, client.socketPath);
  const bannerRows = banner ? bannerLines(banner, width, theme.glyph.ellipsis) : [];
  const body = Math.max(3, height - 2 - bannerRows.length);
  const labels = (ups.upstreams ?? []).map((u) => u.label);
  const keyNames = (keys.keys ?? []).map((k) => k.name);

  return (
    <Box flexDirection="column" width={width} height={height}>
      <TabBar current={screen} width={width} />
      {bannerRows.length ? <Banner lines={bannerRows} /> : null}
      <Box flexDirection="column" height={body}>
        {help ? <HelpOverlay width={width} height={body} onClose={() => setHelp(false)} /> : null}
        {screen === "Upstreams" && !help ? (
          <UpstreamsScreen
            client={client}
            upstreams={ups.upstreams}
            setUpstreams={ups.setUpstreams}
            refresh={ups.refresh}
            stats={stats}
            selectedId={selectedUpstream}
            setSelectedId={setSelectedUpstream}
            width={width}
            height={body}
            active
            setCapture={captureFor("Upstreams")}
          />
        ) : null}
        <Box display={screen === "Logs" && !help ? "flex" : "none"} flexDirection="column">
          <LogsScreen client={client} generation={conn.generation} upstreamLabels={labels} keyNames={keyNames} cap={tailCap} connected={conn.state === "connected"} width={width} height={body} active={screen === "Logs" && !help} setCapture={captureFor("Logs")} />
        </Box>
        {screen === "Keys" && !help ? (
          <KeysScreen client={client} keys={keys.keys} error={keys.error} refresh={keys.refresh} selectedId={selectedKey} setSelectedId={setSelectedKey} width={width} height={body} setCapture={captureFor("Keys")} />
        ) : null}
        {screen === "Nodes" && !help ? <NodesScreen nodes={nodes.nodes} clustered={nodes.clustered} error={nodes.error} width={width} height={body} /> : null}
        <StatsScreen stats={stats} history={history} longHistory={longHistory} width={width} height={body} active={screen === "Stats" && !help} />
      </Box>
      <StatusBar conn={conn} socketPath={client.socketPath} now={Date.now()} width={width} />
    </Box>
  );
}
