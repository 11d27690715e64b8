import type { Session } from '../openstack/session/session.js';
import * as floatingIps from '../openstack/network/floating-ips/index.js';
import * as networks from '../openstack/network/networks/index.js';
import * as ports from '../openstack/network/ports/index.js';
import * as routers from '../openstack/network/routers/index.js';
import * as sgRules from '../openstack/network/security-group-rules/index.js';
import * as securityGroups from '../openstack/network/security-groups/index.js';
import * as subnets from '../openstack/network/subnets/index.js';
import * as keypairs from '../openstack/compute/keypairs/index.js';
import * as serverGroups from '../openstack/compute/server-groups/index.js';

async function collect<T extends { id: string }>(items: AsyncIterable<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for await (const item of items) out.set(item.id, item);
  return out;
}

/**
 * Project-wide lists, each fetched once and on first use, so the closure costs one paginated
 * list per kind instead of one read per reference: requests grow with the number of resources,
 * not with the number of references between them.
 */
export class SourceCache {
  private readonly lists = new Map<string, Promise<unknown>>();

  constructor(
    private readonly session: Session,
    private readonly signal?: AbortSignal,
  ) {}

  private once<T>(name: string, load: () => Promise<T>): Promise<T> {
    let p = this.lists.get(name) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.lists.set(name, p);
      p.catch(() => this.lists.delete(name));
    }
    return p;
  }

  private get opts() {
    return this.signal ? { signal: this.signal } : {};
  }

  networks() {
    return this.once('networks', () => collect(networks.list(this.session, {}, this.opts)));
  }
  subnets() {
    return this.once('subnets', () => collect(subnets.list(this.session, {}, this.opts)));
  }
  ports() {
    return this.once('ports', () => collect(ports.list(this.session, {}, this.opts)));
  }
  routers() {
    return this.once('routers', () => collect(routers.list(this.session, {}, this.opts)));
  }
  securityGroups() {
    return this.once('security-groups', () => collect(securityGroups.list(this.session, {}, this.opts)));
  }
  securityGroupRules() {
    return this.once('security-group-rules', () => collect(sgRules.list(this.session, {}, this.opts)));
  }
  floatingIps() {
    return this.once('floating-ips', () => collect(floatingIps.list(this.session, {}, this.opts)));
  }
  serverGroups() {
    return this.once('server-groups', () => collect(serverGroups.list(this.session, this.opts)));
  }
  /** The user's keypairs, by name (keypairs have no id). */
  keypairs() {
    return this.once('keypairs', async () => {
      const out = new Map<string, keypairs.Keypair>();
      for await (const k of keypairs.list(this.session, this.opts)) out.set(k.name, k);
      return out;
    });
  }

  get projectId(): string {
    return this.session.project.id;
  }
}
