import { Equals, IsString, IsUUID, Matches } from 'class-validator';
import {
  CORRELATION_ID_PATTERN,
  IsIdentifier,
  IsPlantCode,
  IsTimestamp,
  Optional,
} from '../common/field-rules';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The CloudEvents context attributes of a Plantbridge event, validated before the payload is. */
export class EnvelopeAttributes {
  @Equals('1.0')
  specversion!: string;

  @IsUUID('7')
  id!: string;

  @IsIdentifier(255)
  source!: string;

  @IsString()
  @Matches(/^plantbridge\.[a-z]+\.[a-z0-9-]+\.v\d+$/)
  type!: string;

  @Optional()
  @IsIdentifier(255)
  subject?: string;

  @IsTimestamp()
  time!: string;

  @Equals('application/json')
  datacontenttype!: string;

  @IsPlantCode()
  plantid!: string;

  @IsString()
  @Matches(CORRELATION_ID_PATTERN, { message: 'correlationid must be 1 to 64 visible ASCII characters' })
  correlationid!: string;

  @Optional()
  @IsString()
  @Matches(CORRELATION_ID_PATTERN, { message: 'causationid must be 1 to 64 visible ASCII characters' })
  causationid?: string;

  @Optional()
  @Matches(TRACEPARENT)
  traceparent?: string;
}
