import type { Command } from 'commander';
import { listClouds } from '../../openstack/config/loader.js';
import { describeCloud, type CloudDescription } from '../../openstack/describe.js';
import { commandContext } from '../context.js';
import { printJson, table, type Output } from '../output.js';

export function registerCloudsCommand(program: Command): void {
  program
    .command('clouds')
    .description('list the configured clouds; with --cloud, authenticate and describe what the cloud offers')
    .addHelpText(
      'after',
      `
Without --cloud (or OS_CLOUD), lists every cloud in clouds.yaml without contacting any of them.
With --cloud NAME, authenticates and shows the project, every service endpoint and API version,
the negotiated microversions, Neutron extensions, quotas and usage, and each capability that
Downpour depends on, probed rather than assumed. Probing the image upload creates one 1-byte
private image named downpour-probe-* and deletes it straight away.

Examples:
  downpour clouds
  downpour clouds --cloud src
  downpour clouds --cloud src --json | jq .capabilities`,
    )
    .action(async (_opts: unknown, command: Command) => {
      const ctx = commandContext(command);
      if (!ctx.options.cloud && !process.env['OS_CLOUD']) {
        const clouds = listClouds();
        if (ctx.output.json) return printJson(ctx.output, { clouds });
        if (clouds.length === 0) {
          ctx.output.out(
            'No clouds configured: create clouds.yaml or set OS_* variables (see `downpour --help`).',
          );
          return;
        }
        ctx.output.out(
          table(
            ['cloud', 'auth_url', 'region', 'project', 'user', 'file'],
            clouds.map((c) => [c.name, c.authUrl, c.regionName, c.project, c.user, c.file]),
          ),
        );
        ctx.output.out('\nRun `downpour clouds --cloud NAME` to authenticate and describe one.');
        return;
      }
      const session = await ctx.connect();
      try {
        const description = await describeCloud(session);
        if (ctx.output.json) printJson(ctx.output, description);
        else printDescription(ctx.output, description);
      } finally {
        await session.close();
      }
    });
}

/** The version a client gets by default (CURRENT) first: a 2025.1 Glance lists 2.16 before 2.17. */
function shownVersions(versions: string[]): string {
  if (versions.length <= 2) return versions.join(', ');
  const current = versions.find((v) => v.includes('(CURRENT)')) ?? versions[0];
  return `${current} (+${versions.length - 1} more)`;
}

function printDescription(output: Output, d: CloudDescription): void {
  output.out(`Cloud ${d.cloud} (${d.authUrl}), region ${d.region ?? '(any)'}, interface ${d.interface}`);
  output.out(
    `Project ${d.project.name} (${d.project.id}) as ${d.user.name}, roles: ${d.roles.join(', ') || '(none)'}`,
  );
  if (d.configFile) output.out(`Config ${d.configFile}`);
  output.out('\nServices');
  output.out(
    table(
      ['type', 'endpoint', 'versions', 'microversions', 'used'],
      d.services.map((s) => [
        s.type,
        s.endpoint ?? '(not in catalog)',
        shownVersions(s.versions),
        s.microversions ? `${s.microversions.min} - ${s.microversions.max}` : '',
        s.negotiated ?? '',
      ]),
    ),
  );
  output.out('\nCapabilities');
  output.out(
    table(
      ['capability', 'status', 'detail'],
      d.capabilities.map((c) => [c.name, c.status, c.detail]),
    ),
  );
  output.out('\nQuotas');
  output.out(
    table(
      ['service', 'resource', 'in use', 'limit'],
      d.quotas.map((q) => [q.service, q.resource, q.inUse ?? '?', q.limit === -1 ? 'unlimited' : q.limit]),
    ),
  );
  output.out(`\nNeutron extensions (${d.networkExtensions.length}): ${d.networkExtensions.join(', ')}`);
  if (d.warnings.length) output.out(`\nWarnings:\n${d.warnings.map((w) => `  - ${w}`).join('\n')}`);
}
