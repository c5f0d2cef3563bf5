/**
 * What `npm run dev` and the integration tests say when moto's server cannot start: one line that
 * names what is missing and how to install it. (The run's own moto proves the happy path.)
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Moto from '../../../local/moto';

/** local/moto.ts as loaded with `PYTHON` set to `python` (it reads PYTHON once, at import). */
function motoWith(python: string): typeof Moto {
  const previous = process.env.PYTHON;
  process.env.PYTHON = python;
  try {
    let loaded: typeof Moto | undefined;
    jest.isolateModules(() => {
      loaded = require('../../../local/moto') as typeof Moto;
    });
    return loaded as typeof Moto;
  } finally {
    if (previous === undefined) delete process.env.PYTHON;
    else process.env.PYTHON = previous;
  }
}

function failureOf(check: () => void): Error {
  try {
    check();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the check to fail');
}

describe('assertMotoInstalled', () => {
  it('names the Python it tried when there is none, and the PYTHON override', () => {
    // Prepare
    const moto = motoWith('/nonexistent/python3');

    // Act
    const error = failureOf(() => moto.assertMotoInstalled());

    // Assess
    expect(error).toBeInstanceOf(moto.MotoUnavailableError);
    expect(error.message).toContain('`/nonexistent/python3` was not found');
    expect(error.message).toContain('pip install "moto[server]"');
    expect(error.message).toContain('set PYTHON');
  });

  it('names the module that Python cannot import, and the command that installs it', () => {
    // Prepare: a Python whose flask_cors is missing (a package that raises as a missing one does).
    const dir = mkdtempSync(join(tmpdir(), 'echo-python-'));
    mkdirSync(join(dir, 'flask_cors'));
    writeFileSync(join(dir, 'flask_cors', '__init__.py'), 'raise ModuleNotFoundError("No module named \'flask_cors\'", name="flask_cors")\n');
    const python = join(dir, 'python-without-flask-cors');
    writeFileSync(python, `#!/bin/sh\nPYTHONPATH="${dir}" exec ${process.env.PYTHON ?? 'python3'} "$@"\n`);
    chmodSync(python, 0o755);
    const moto = motoWith(python);

    // Act
    const error = failureOf(() => moto.assertMotoInstalled());

    // Assess
    expect(error).toBeInstanceOf(moto.MotoUnavailableError);
    expect(error.message).toContain('cannot import `flask_cors`');
    expect(error.message).not.toContain('`moto`');
    expect(error.message).toContain(`\`${python} -m pip install "moto[server]"\``);
    expect(error.message.split('\n')).toHaveLength(1);
  });
});
