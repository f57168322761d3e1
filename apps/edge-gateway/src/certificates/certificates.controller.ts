import { Controller, Get, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
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
import { toPem } from 'node-opcua-crypto';
import type { CertificateAuditRecord } from './certificate-audit.entity';
import type { CertificateSummary } from './certificate-summary';
import { CertificateTrust } from './certificate-trust.usecase';
import { OwnCertificateReader } from './own-certificate-reader';
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
  constructor(
    private readonly trust: CertificateTrust,
    private readonly ownCertificate: OwnCertificateReader,
  ) {}

  @Get()
  @RequiresScope('opcua:read')
  @ApiOperation({
    summary: 'Server certificates met: trusted and rejected, with subject, thumbprint and validity',
  })
  list(): Promise<ServerCertificate[]> {
    return this.trust.list();
  }

  @Get('own')
  @RequiresScope('opcua:read')
  @ApiOperation({
    summary: "The gateway's own certificate, which each OPC UA server with security must trust",
    description:
      "Subject, SHA-1 thumbprint, validity and application URI: compare them with what the PLC's trust list shows. " +
      '`own.der` and `own.pem` download the certificate itself for its administrator.',
  })
  own(): CertificateSummary {
    return this.ownCertificate.read().summary;
  }

  @Get('own.der')
  @RequiresScope('opcua:read')
  @ApiOperation({ summary: "The gateway's own certificate as DER, the form most PLCs import" })
  @ApiProduces('application/pkix-cert')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  ownDer(): StreamableFile {
    return new StreamableFile(this.ownCertificate.read().der, {
      type: 'application/pkix-cert',
      disposition: 'attachment; filename="plantbridge-edge-gateway.der"',
    });
  }

  @Get('own.pem')
  @RequiresScope('opcua:read')
  @ApiOperation({ summary: "The gateway's own certificate as PEM" })
  @ApiProduces('application/x-pem-file')
  @ApiOkResponse({ schema: { type: 'string' } })
  ownPem(): StreamableFile {
    return new StreamableFile(Buffer.from(toPem(this.ownCertificate.read().der, 'CERTIFICATE')), {
      type: 'application/x-pem-file',
      disposition: 'attachment; filename="plantbridge-edge-gateway.pem"',
    });
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
