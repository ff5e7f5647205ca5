// A line of text with a colour role: what scrollable views (details, a request in full, help)
// are made of, so they can be cut to the terminal's height and scrolled by line.
import type { Role } from "./theme.ts";

export interface StyledLine {
  text: string;
  role?: Role;
  bold?: boolean;
}

export const plain = (text: string, role?: Role, bold?: boolean): StyledLine => ({ text, role, bold });
