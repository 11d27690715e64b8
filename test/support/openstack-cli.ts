/**
 * The independent witness: the `openstack` CLI, which shares no code with Downpour. It takes
 * 2-4 s to start and authenticate, so several commands run in one process through its
 * interactive mode, which reads them from stdin; each answers with JSON (`-f json`).
 */
import { spawn } from 'node:child_process';
import { inNetns } from './clouds.js';

/** Top-level JSON values written one after another. */
function jsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let begin = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (depth++ === 0) begin = i;
    } else if (c === ']' || c === '}') {
      if (--depth === 0) docs.push(JSON.parse(text.slice(begin, i + 1)));
    }
  }
  return docs;
}

/**
 * Each command's JSON output, in order; `commands` without `-f json`. `env` adds to the CLI's
 * environment (`OS_COMPUTE_API_VERSION`, for what older microversions do not show). `netns`
 * runs the CLI in that network namespace, where the second local cloud answers.
 */
export function openstackCli(
  cloud: string,
  clouds: string,
  commands: string[],
  env: Record<string, string> = {},
  netns?: string,
): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const [cmd, args] = inNetns(netns, 'openstack', []);
    const child = spawn(cmd, args, {
      env: { ...process.env, OS_CLIENT_CONFIG_FILE: clouds, OS_CLOUD: cloud, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const docs = jsonDocuments(stdout);
      if (docs.length === commands.length) resolve(docs);
      else
        reject(
          new Error(`openstack (${cloud}): ${commands.length} commands, ${docs.length} answers:\n${stderr}`),
        );
    });
    child.stdin.end(commands.map((c) => `${c} -f json\n`).join(''));
  });
}
