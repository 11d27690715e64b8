import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../../src/cli/main.js';
import { ExitCode } from '../../../src/core/errors.js';

describe('the documented exit codes', () => {
  const help = (() => {
    const program = buildProgram();
    let text = '';
    program.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    program.exitOverride();
    try {
      program.parse(['--help'], { from: 'user' });
    } catch {
      // commander ends --help by throwing under exitOverride
    }
    return text;
  })();
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

  it.each(Object.entries(ExitCode))('%s (%i) is in `downpour --help` and in the README', (_name, code) => {
    expect(help).toMatch(new RegExp(`\\n  ${code} +\\S`));
    expect(readme).toMatch(new RegExp(`\\n\\| ${code} +\\| \\S`));
  });
});
