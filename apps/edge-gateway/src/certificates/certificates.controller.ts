import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import {
  type CommandRequest,
  Idempotent,
  IdempotentCommand,
  type IdempotentHttpResponse,
  paramRule,
  RequiresScope,
  sendIdempotent,
} from '@plantbridge/service-runtime';
import { Matches } from 'class-validator';
import type { CertificateAuditRecord } from './certificate-audit.entity';
import { CertificateTrust } from './certificate-trust.usecase';
import type { ServerCertificate } from './trust-store';

const ThumbprintParam = paramRule('thumbprint', () =>
  Matches(/^[0-9a-fA-F]{40}$/, { message: 'thumbprint must be the 40 hex digits of a SHA-1 thumbprint' }),
);

/**
 * The OPC UA servers the gateway trusts: their certificates, trusted or rejected, and an operator's
 * trust or revocation of one (audited with the token's subject).
 */
@Controller('v1/opcua/certificates')
export class CertificatesController {
  constructor(private readonly trust: CertificateTrust) {}

  @Get()
  @RequiresScope('opcua:read')
  @ApiOperation({
    summary: 'Server certificates met: trusted and rejected, with subject, thumbprint and validity',
  })
  list(): Promise<ServerCertificate[]> {
    return this.trust.list();
  }

  @Get('audit')
  @RequiresScope('opcua:read')
  @ApiOperation({ summary: 'Who trusted or revoked which certificate, and when' })
  audit(): Promise<CertificateAuditRecord[]> {
    return this.trust.audit();
  }

  @Post(':thumbprint/trust')
  @HttpCode(200)
  @Idempotent()
  @RequiresScope('opcua:admin')
  @ApiOperation({ summary: "Trust a server's certificate: the gateway's next connection to it is accepted" })
  trustOne(
    @Param('thumbprint', ThumbprintParam) thumbprint: string,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<ServerCertificate> {
    return sendIdempotent(res, this.trust.decide(command, thumbprint, 'trust'));
  }

  @Post(':thumbprint/revoke')
  @HttpCode(200)
  @Idempotent()
  @RequiresScope('opcua:admin')
  @ApiOperation({ summary: "Stop trusting a server's certificate: its next connection is refused" })
  revoke(
    @Param('thumbprint', ThumbprintParam) thumbprint: string,
    @IdempotentCommand() command: CommandRequest,
    @Res({ passthrough: true }) res: IdempotentHttpResponse,
  ): Promise<ServerCertificate> {
    return sendIdempotent(res, this.trust.decide(command, thumbprint, 'revoke'));
  }
}
