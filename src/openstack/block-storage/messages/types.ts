import type { WireDocument } from '../../common.js';

/** A user message (3.3+): why an asynchronous operation on a volume or snapshot failed. */
export interface UserMessage extends WireDocument {
  id: string;
  user_message: string;
  event_id: string;
  message_level: string;
  resource_type: string;
  resource_uuid: string | null;
  request_id: string;
  created_at: string;
  guaranteed_until: string;
}
