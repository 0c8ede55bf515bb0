// npm run fuzz -- --count N --seed S [--workers K] [--time SECONDS] [--strict] [--max-failures F]
// npm run fuzz -- --replay PROGRAM_SEED   (one program, in this process, with its shrunk form)
// Differential fuzzing of the compiler: random programs over the DSL, each checked in every
// lowering against the interpreter, against central differences and for clear errors.
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Tally } from "./derivatives.ts";
import type { FailureReport, Progress, WorkerMessage, WorkerTask } from "./campaign.ts";
import { knownBugs } from "./known.ts";
import { fuzzSeed } from "./property.ts";

interface Options {
  count: number;
  seed: number;
  workers: number;
  time: number;
  strict: boolean;
  maxFailures: number;
  replay?: number;
}

function parse(argv: readonly string[]): Options {
  const options: Options = {
    count: 1000,
    seed: randomInt(0, 2 ** 32),
    workers: Math.min(2, availableParallelism()),
    time: Infinity,
    strict: false,
    maxFailures: 1,
  };
  const numeric = (name: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) {
      console.error(`fuzz: ${name} needs a non-negative number, got ${String(value)}`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--count") options.count = numeric(flag, argv[++i]);
    else if (flag === "--seed") options.seed = numeric(flag, argv[++i]) >>> 0;
    else if (flag === "--workers") options.workers = Math.max(1, numeric(flag, argv[++i]));
    else if (flag === "--time") options.time = numeric(flag, argv[++i]);
    else if (flag === "--max-failures") options.maxFailures = Math.max(1, numeric(flag, argv[++i]));
    else if (flag === "--replay") options.replay = numeric(flag, argv[++i]) >>> 0;
    else if (flag === "--strict") options.strict = true;
    else {
      console.error(`fuzz: unknown option ${flag}`);
      process.exit(2);
    }
  }
  return options;
}

function printFailure(failure: FailureReport, seed: number): void {
  console.log(
    [
      ``,
      `FAILED: ${failure.check} (run seed ${seed}, program ${failure.index}, program seed ${failure.programSeed})`,
      `  ${failure.message.split("\n").join("\n  ")}`,
      `shrunk program (fails the same check: ${failure.shrunkMessage.split("\n")[0]}):`,
      failure.source,
      `replay: npm run fuzz -- --replay ${failure.programSeed}`,
      ``,
    ].join("\n"),
  );
}

/** "f32-scalars 12, fold-dtype 1": programs per known bug over every worker. */
function knownCounts(progress: readonly Progress[]): string {
  const known: Record<string, number> = {};
  for (const p of progress) {
    for (const [name, n] of Object.entries(p.known)) known[name] = (known[name] ?? 0) + n;
  }
  const text = Object.entries(known).map(([name, n]) => `${name} ${n}`);
  return text.join(", ") || "none";
}

function summary(progress: readonly Progress[], elapsed: number): string {
  const programs = progress.reduce((sum, p) => sum + p.programs, 0);
  const provoked = progress.reduce((sum, p) => sum + p.provoked, 0);
  const tallies: Record<string, Tally> = {};
  for (const p of progress) {
    for (const [check, t] of Object.entries(p.tallies)) {
      const total = (tallies[check] ??= { checked: 0, skipped: 0 });
      total.checked += t.checked;
      total.skipped += t.skipped;
    }
  }
  const checks = Object.entries(tallies)
    .map(([check, t]) => `${check} ${t.checked} (${t.skipped} skipped)`)
    .join(", ");
  return [
    `${programs} programs in ${elapsed.toFixed(1)} s: ${(programs / elapsed).toFixed(1)} programs/s; ${provoked} with a bad call written on purpose`,
    `  derivative checks: ${checks || "none"}`,
    `  known bugs hit (programs; not failures): ${knownCounts(progress)}`,
  ].join("\n");
}

async function replay(seed: number, strict: boolean): Promise<void> {
  const { outcome, shrunk } = await fuzzSeed(seed, strict ? [] : knownBugs);
  console.log(outcome.fuzz.source);
  if (outcome.known.length > 0) console.log(`known bugs hit: ${outcome.known.join(", ")}`);
  if (outcome.failure === undefined) return console.log(`program seed ${seed}: passed`);
  console.log(`program seed ${seed}: FAILED ${outcome.failure.check}: ${outcome.failure.message}`);
  if (shrunk !== undefined)
    console.log(`shrunk:\n${shrunk.fuzz.source}\n${shrunk.failure?.message}`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options.replay !== undefined) return replay(options.replay, options.strict);
  const { count, seed, workers } = options;
  const bugs = options.strict ? "none (strict)" : knownBugs.map((bug) => bug.name).join(", ");
  console.log(
    `fuzz: seed ${seed}, ${count} programs, ${workers} workers, time limit ${options.time} s`,
  );
  console.log(`fuzz: known bugs excluded: ${bugs}`);
  const started = Date.now();
  const deadline = started + options.time * 1000;
  const progress: Progress[] = [];
  const failures: FailureReport[] = [];
  let lastPrint = started;
  const runs = Array.from({ length: workers }, (_, offset) => {
    const task: WorkerTask = {
      seed,
      count,
      offset,
      stride: workers,
      deadline,
      strict: options.strict,
      maxFailures: options.maxFailures,
    };
    progress.push({
      kind: "progress",
      programs: 0,
      provoked: 0,
      known: {},
      tallies: {},
      done: false,
    });
    return new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL("./worker.mjs", import.meta.url), { workerData: task });
      worker.on("message", (message: WorkerMessage) => {
        if (message.kind === "failure") {
          failures.push(message);
          printFailure(message, seed);
          if (failures.length >= options.maxFailures)
            void Promise.resolve().then(() => worker.terminate());
          return;
        }
        progress[offset] = message;
        if (Date.now() - lastPrint > 10_000) {
          lastPrint = Date.now();
          const done = progress.reduce((sum, p) => sum + p.programs, 0);
          const elapsed = (Date.now() - started) / 1000;
          console.log(
            `fuzz: ${done}/${count} programs, ${(done / elapsed).toFixed(1)}/s, ${failures.length} failures; known bugs hit: ${knownCounts(progress)}`,
          );
        }
      });
      worker.on("error", reject);
      worker.on("exit", () => resolve());
    });
  });
  await Promise.all(runs);
  const elapsed = (Date.now() - started) / 1000;
  console.log(summary(progress, elapsed));
  const programs = progress.reduce((sum, p) => sum + p.programs, 0);
  if (failures.length > 0) {
    console.log(`fuzz: ${failures.length} failure(s); seed ${seed}`);
    process.exitCode = 1;
  } else if (programs < count) {
    console.log(
      `fuzz: only ${programs} of ${count} programs within ${options.time} s (seed ${seed})`,
    );
    process.exitCode = 1;
  } else console.log(`fuzz: passed (seed ${seed})`);
}

await main();
