import * as sgRules from '../../openstack/network/security-group-rules/index.js';
import * as securityGroups from '../../openstack/network/security-groups/index.js';
import { sourceList } from '../source-cache.js';

/** The project's security groups at the source, listed once per export. */
export const securityGroupList = sourceList('network.security-group', (session, options) =>
  securityGroups.list(session, {}, options),
);

/** Every security group rule the project can see at the source, listed once per export. */
export const securityGroupRuleList = sourceList('network.security-group-rules', (session, options) =>
  sgRules.list(session, {}, options),
);
