/**
 * The test environment of every jest project: Node's, with what a test file writes to the process
 * kept out of the run's output until a test fails.
 *
 * Handlers log JSON lines through Powertools (to `process.stdout`/`process.stderr`), the local
 * runtime and CDK print progress. Inside the test file, `process.stdout` and `process.stderr` are
 * streams into one temporary file (a child process given them as stdio writes there too), so all
 * of it lands there, in order, and the reporter's own streams stay untouched. When a test or a
 * `beforeAll`/`afterAll` hook fails, what it wrote is printed under its name; otherwise nothing
 * is. Helpers that assert on output (`captureProcessOutput`) spy on these streams as before.
 * `console.*` stays jest's own.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { TestEnvironment } from 'jest-environment-node';

/** Lines of a failing test's output printed at most; the whole output stays in the file then. */
const MAX_LINES = 300;

/** The parts of jest-circus's events used here. */
interface CircusBlock {
  name: string;
  parent?: CircusBlock;
}
interface CircusEvent {
  name: string;
  test?: CircusBlock & { errors: unknown[] };
  hook?: { type: 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach'; parent: CircusBlock };
}

/** A writable stream that appends to a file descriptor synchronously, so output keeps its order. */
class FileStream extends Writable {
  private released = false;

  constructor(readonly fd: number) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    // Late writes (a timer firing after the file finished) are dropped, not an error.
    if (!this.released) writeSync(this.fd, typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
    callback();
  }

  release(): void {
    this.released = true;
  }
}

export default class QuietEnvironment extends TestEnvironment {
  private readonly dir = mkdtempSync(join(tmpdir(), 'jest-output-'));
  private readonly file = join(this.dir, 'output.log');
  private readonly fd = openSync(this.file, 'a+');
  private readonly streams = [new FileStream(this.fd), new FileStream(this.fd)] as const;
  private testStart = 0;
  private hookStart = 0;
  private keepFile = false;

  override async setup(): Promise<void> {
    await super.setup();
    const [stdout, stderr] = this.streams;
    // Only the test file's `process` (a copy jest makes per file): the reporter keeps the real streams.
    const sandboxProcess = this.global.process;
    // Tests run on the developer's Node (20 is fine); the SDK's notice that it will want Node 22
    // is a process warning, which would print once per file.
    sandboxProcess.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    Object.defineProperty(sandboxProcess, 'stdout', { configurable: true, enumerable: true, get: () => stdout });
    Object.defineProperty(sandboxProcess, 'stderr', { configurable: true, enumerable: true, get: () => stderr });
  }

  override async teardown(): Promise<void> {
    for (const stream of this.streams) stream.release();
    closeSync(this.fd);
    if (!this.keepFile) rmSync(this.dir, { recursive: true, force: true });
    await super.teardown();
  }

  handleTestEvent(event: CircusEvent): void {
    switch (event.name) {
      case 'test_start':
        this.testStart = this.size();
        break;
      case 'test_done':
        if (event.test && event.test.errors.length > 0) this.print(`test "${fullName(event.test)}"`, this.testStart);
        break;
      case 'hook_start':
        this.hookStart = this.size();
        break;
      case 'hook_failure':
        // A failing beforeEach/afterEach fails its test, which prints its own output above.
        if (event.hook && (event.hook.type === 'beforeAll' || event.hook.type === 'afterAll')) {
          const where = fullName(event.hook.parent);
          this.print(`${event.hook.type} hook${where ? ` of "${where}"` : ''}`, this.hookStart);
        }
        break;
    }
  }

  private size(): number {
    return fstatSync(this.fd).size;
  }

  /** Writes what was written since `from` to the real stderr, the last MAX_LINES lines of it. */
  private print(what: string, from: number): void {
    const length = this.size() - from;
    if (length <= 0) return;
    const buffer = Buffer.alloc(length);
    readSync(this.fd, buffer, 0, length, from);
    const lines = buffer.toString('utf8').replace(/\n$/, '').split('\n');
    const shown = lines.slice(-MAX_LINES);
    let heading = `output of the failing ${what} (${lines.length} line${lines.length === 1 ? '' : 's'})`;
    if (shown.length < lines.length) {
      this.keepFile = true;
      heading = `output of the failing ${what}: last ${shown.length} of ${lines.length} lines, all of it in ${this.file}`;
    }
    globalThis.process.stderr.write(`\n┌── ${heading}\n${shown.map((line) => `│ ${line}`).join('\n')}\n└──\n`);
  }
}

function fullName(block: CircusBlock): string {
  const names: string[] = [];
  for (let at: CircusBlock | undefined = block; at && at.name !== 'ROOT_DESCRIBE_BLOCK'; at = at.parent) names.unshift(at.name);
  return names.join(' › ');
}
