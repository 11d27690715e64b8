/** The collections whose members carry tags (standard-attr-tag), as they appear in the tags URL. */
export type TaggableResource =
  | 'networks'
  | 'subnets'
  | 'ports'
  | 'routers'
  | 'security-groups'
  | 'floatingips'
  | 'subnetpools'
  | 'trunks'
  | 'policies'
  | 'address-scopes'
  | 'network_segment_ranges';
