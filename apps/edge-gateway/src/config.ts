import { ServiceConfig } from '@plantbridge/config';
import { IsOptional } from 'class-validator';
import { IsTagMappingFile } from './mapping/is-tag-mapping-file';

/** Settings of edge-gateway; the shared ones are documented on ServiceConfig and in the README. */
export class EdgeGatewayConfig extends ServiceConfig {
  override HTTP_PORT = 3001;

  /** The plant's tag mapping (JSON): OPC UA endpoints and what each node id means. Validated at boot. */
  @IsOptional()
  @IsTagMappingFile()
  TAG_MAPPING_FILE?: string;
}
