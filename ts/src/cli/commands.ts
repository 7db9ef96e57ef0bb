// The command line's commands: main.ts runs them, and the bundle loader keeps one V8 code cache for each
// (a command compiles its own modules; a cache written by another would lack them).

export const COMMANDS = ["backtest", "generate", "catalog", "fetch", "profile", "sweep", "walkforward", "worker"] as const;

export type Command = (typeof COMMANDS)[number];

/** `name` when it is a command. */
export const commandOf = (name: string | undefined): Command | undefined => COMMANDS.find((c) => c === name);
