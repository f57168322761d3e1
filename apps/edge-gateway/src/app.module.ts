import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@plantbridge/service-runtime';
import { CertificateAuditRecord } from './certificates/certificate-audit.entity';
import { CertificateTrust } from './certificates/certificate-trust.usecase';
import { CertificatesController } from './certificates/certificates.controller';
import { OwnCertificateRenewal } from './certificates/own-certificate';
import { OwnCertificateReader } from './certificates/own-certificate-reader';
import { TrustStore } from './certificates/trust-store';
import { EdgeGatewayConfig, pkiDirOf } from './config';
import { GatewayState1764170000000 } from './migrations/1764170000000-gateway-state';
import { CountPeriods1764180000000 } from './migrations/1764180000000-count-periods';
import { CertificateAudit1764200000000 } from './migrations/1764200000000-certificate-audit';
import { TagState1764210000000 } from './migrations/1764210000000-tag-state';
import { AlarmConditionState1764220000000 } from './migrations/1764220000000-alarm-condition-state';
import { AlarmConditionStateRecord } from './pipeline/alarm-condition-state.entity';
import { TagStateRecord, CountPeriodRecord, ProductionContextRecord } from './pipeline/gateway-state.entity';
import { GatewayObservability } from './pipeline/gateway-observability';
import { IncrementalAutoVacuum } from './pipeline/incremental-auto-vacuum';
import { GatewayPipeline } from './pipeline/gateway-pipeline';
import { OpcuaEndpointsController } from './pipeline/opcua-endpoints.controller';
import { ProductionContextHandler } from './pipeline/production-context.handler';

export const SERVICE_NAME = 'edge-gateway';

export const OPEN_API = {
  title: 'Plantbridge edge-gateway',
  description:
    'OPC UA endpoints of the plant: connection state, refused tags, and browsing the address space to write the tag mapping.',
  version: '1',
};

/** OPC UA connectivity: tag mapping, normalized equipment events, store-and-forward (issue: edge gateway). */
@Module({})
export class AppModule {
  static forConfig(config: EdgeGatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(
          {
            name: SERVICE_NAME,
            entities: [
              TagStateRecord,
              ProductionContextRecord,
              CountPeriodRecord,
              CertificateAuditRecord,
              AlarmConditionStateRecord,
            ],
            migrations: [
              GatewayState1764170000000,
              CountPeriods1764180000000,
              CertificateAudit1764200000000,
              TagState1764210000000,
              AlarmConditionState1764220000000,
            ],
            // Its events come from the normalizer, not from callers, at up to 50,000 a second.
            validateOutgoingEvents: false,
          },
          config,
        ),
      ],
      controllers: [OpcuaEndpointsController, CertificatesController, ProductionContextHandler],
      providers: [
        { provide: EdgeGatewayConfig, useValue: config },
        GatewayPipeline,
        GatewayObservability,
        // Before the relay and the pipeline start: lets the SQLite file shrink after buffer drops.
        IncrementalAutoVacuum,
        // The PKI folder every endpoint connection uses (gateway-pipeline.ts).
        { provide: TrustStore, useFactory: () => new TrustStore(pkiDirOf(config)) },
        CertificateTrust,
        OwnCertificateRenewal,
        OwnCertificateReader,
      ],
    };
  }
}
