import { Controller, Get, Header } from '@nestjs/common';
import { collectDefaultMetrics, register } from 'prom-client';
import { RequiresScope } from './auth/scopes';

collectDefaultMetrics();

/** Prometheus metrics: process, consumers (settlements, handling time), outbox relay. */
@Controller('metrics')
export class MetricsController {
  @Get()
  @RequiresScope('management:read')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
