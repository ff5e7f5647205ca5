// Named colour roles and glyphs. Components ask for a role ("error", "muted"), never a colour, so
// NO_COLOR turns every colour off in one place; and for a glyph set, so terminals (or fonts, or
// serial consoles) without Unicode box drawing get plain ASCII.
import { createContext, useContext } from "react";

export type Role = "accent" | "ok" | "warn" | "error" | "muted" | "title";

export interface Theme {
  color: boolean;
  ascii: boolean;
  /** An Ink colour for a role, or undefined when colour is off. */
  fg(role: Role): string | undefined;
  border: "round" | "classic";
  glyph: {
    bullet: string;
    selected: string;
    ellipsis: string;
    sep: string;
    spark: string[]; // lowest to highest
    hr: string;
    bar: [full: string, empty: string];
  };
}

const COLORS: Record<Role, string> = { accent: "cyan", ok: "green", warn: "yellow", error: "red", muted: "gray", title: "magenta" };

export function createTheme(opts: { color: boolean; ascii: boolean }): Theme {
  return {
    color: opts.color,
    ascii: opts.ascii,
    fg: (role) => (opts.color ? COLORS[role] : undefined),
    border: opts.ascii ? "classic" : "round",
    glyph: opts.ascii
      ? { bullet: "*", selected: ">", ellipsis: "~", sep: "|", spark: ["_", ".", "-", ":", "=", "+", "*", "#"], hr: "-", bar: ["#", "."] }
      : { bullet: "●", selected: "›", ellipsis: "…", sep: "│", spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], hr: "─", bar: ["█", "░"] },
  };
}

type Env = Record<string, string | undefined>;

/** NO_COLOR (any non-empty value, per no-color.org) or --no-color turns colour off. */
export const colorFromEnv = (env: Env): boolean => !env.NO_COLOR;

/**
 * Unicode only when the locale says UTF-8 (LC_ALL, then LC_CTYPE, then LANG, as setlocale reads
 * them); ROUTE_TUI_ASCII=1 forces ASCII. A "C"/POSIX locale, usual on minimal servers, gets ASCII.
 */
export function asciiFromEnv(env: Env): boolean {
  if (env.ROUTE_TUI_ASCII) return env.ROUTE_TUI_ASCII !== "0";
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || "";
  return !/utf-?8/i.test(locale);
}

export const ThemeContext = createContext<Theme>(createTheme({ color: true, ascii: false }));
export const useTheme = () => useContext(ThemeContext);
