import { join, resolve } from 'node:path';
import { IntSetting, ServiceConfig } from '@plantbridge/config';
import { IsEmpty, IsIn, IsOptional } from 'class-validator';
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

  /**
   * Store-and-forward bound in bytes: the SQLite database file with its WAL (on PostgreSQL the
   * unpublished rows). Over it telemetry goes first, then the oldest business events (BufferLimits).
   * At least 16 MiB: a few minutes of telemetry reports (~220 kB each) and the WAL between checkpoints.
   */
  @IntSetting(16 * 1024 * 1024)
  BUFFER_MAX_BYTES = 256 * 1024 * 1024;

  /**
   * The count limits that BUFFER_MAX_BYTES replaced (2,000 reports of ~220 kB each and 1,000,000
   * events passed half a gigabyte). Still set, the boot stops: a limit someone chose must not be
   * silently ignored.
   */
  @IsEmpty({ message: 'BUFFER_MAX_TELEMETRY_REPORTS is no longer read: set BUFFER_MAX_BYTES instead' })
  BUFFER_MAX_TELEMETRY_REPORTS?: string;

  @IsEmpty({ message: 'BUFFER_MAX_EVENTS is no longer read: set BUFFER_MAX_BYTES instead' })
  BUFFER_MAX_EVENTS?: string;

  /** How often the buffer limits are checked. */
  @IntSetting(100)
  BUFFER_CHECK_MS = 10_000;
}

/** The gateway's PKI folder: its own certificate, trusted and rejected server certificates. */
export function pkiDirOf(config: EdgeGatewayConfig): string {
  return join(resolve(config.DATA_DIR), 'edge-gateway-pki');
}
