// `ferrobt profile`: runs a strategy with its hot calls timed on one backend or both, prints the
// table (and writes it as JSON with --json).

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Backend } from "../data/open.js";
import { FerrobtError } from "../errors.js";
import { formatProfile, type ProfileReport, parityVerdict, profileRun } from "../profile/profile.js";
import { backendOf, dataPaths, loadStrategy, SEED_WINDOW } from "./inputs.js";

export async function runProfileCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      mode: { type: "string", default: "native" },
      json: { type: "string" },
      data: { type: "string" },
      start: { type: "string", default: SEED_WINDOW.start },
      end: { type: "string", default: SEED_WINDOW.end },
    },
  });
  if (positionals.length !== 1) throw new FerrobtError("ERR_ARGUMENT", "profile needs exactly one strategy file");
  const backends: Backend[] = values.mode === "both" ? ["native", "reference"] : [backendOf(values.mode)];
  const Ctor = await loadStrategy(positionals[0]);
  const paths = dataPaths(values.data);
  const reports: ProfileReport[] = [];
  for (const b of backends) reports.push(await profileRun(() => new Ctor(), paths, b, values.start!, values.end!));
  process.stdout.write(`${Ctor.name} on ${paths.join(", ")}, ${values.start} → ${values.end} (New York)\n\n${formatProfile(reports)}\n`);
  if (values.json) {
    const doc = {
      strategy: Ctor.name,
      data: paths,
      window: { start: values.start, end: values.end },
      reports: reports.map(({ result, ...r }) => ({ ...r, fills: result.fillCount, finalPortfolioValue: result.finalPortfolioValue })),
      parity: reports.length === 2 ? parityVerdict(reports[0].result, reports[1].result) : undefined,
    };
    writeFileSync(values.json, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return 0;
}
