import { join, resolve } from 'node:path';
import { IntSetting, ServiceConfig } from '@plantbridge/config';
import { IsIn, IsOptional } from 'class-validator';
import { IsTagMappingFile } from './mapping/is-tag-mapping-file';

/** Settings of edge-gateway; the shared ones are documented on ServiceConfig and in the README. */
export class EdgeGatewayConfig extends ServiceConfig {
  override HTTP_PORT = 3001;

  /** The plant's tag mapping (JSON): OPC UA endpoints and what each node id means. Validated at boot. */
  @IsOptional()
  @IsTagMappingFile()
  TAG_MAPPING_FILE?: string;

  /** Development only: accept OPC UA server certificates nobody trusted. In production, trust each one. */
  @IsIn(['true', 'false'], { message: 'OPCUA_TRUST_UNKNOWN_SERVERS must be true or false' })
  OPCUA_TRUST_UNKNOWN_SERVERS = 'false';

  /** How often the OPC UA server sends the changes it collected. */
  @IntSetting(10)
  OPCUA_PUBLISHING_INTERVAL_MS = 100;

  /** Connected, but neither data nor keep-alive for this long: reconnect. */
  @IntSetting(1000)
  OPCUA_STALL_TIMEOUT_MS = 15_000;

  /** Equipment events are committed to the outbox (the store-and-forward buffer) this often. */
  @IntSetting(5)
  EVENT_BATCH_MS = 50;

  /** Store-and-forward limit for telemetry reports (up to 2,000 samples each); the oldest are dropped first. */
  @IntSetting(1)
  BUFFER_MAX_TELEMETRY_REPORTS = 2000;

  /** Store-and-forward limit for business events (counts, states, alarms); over it the oldest are lost. */
  @IntSetting(1)
  BUFFER_MAX_EVENTS = 1_000_000;

  /** How often the buffer limits are checked. */
  @IntSetting(100)
  BUFFER_CHECK_MS = 10_000;
}

/** The gateway's PKI folder: its own certificate, trusted and rejected server certificates. */
export function pkiDirOf(config: EdgeGatewayConfig): string {
  return join(resolve(config.DATA_DIR), 'edge-gateway-pki');
}
