import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { enableIncrementalAutoVacuum } from './sqlite-file-shrinker';

/**
 * At boot, before anything else uses the database (module init comes before the relay, the WAL
 * checkpointer and the OPC UA sessions start), lets the SQLite file shrink after the buffer drops
 * rows. Failing (e.g. no room for the VACUUM's copy) is logged, not fatal: the buffer still keeps
 * within BUFFER_MAX_BYTES by reusing the file's free pages, only the file does not get smaller.
 */
@Injectable()
export class IncrementalAutoVacuum implements OnModuleInit {
  private readonly logger = new Logger('StoreAndForward');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const started = Date.now();
    try {
      if (await enableIncrementalAutoVacuum(this.dataSource)) {
        this.logger.log(`database switched to auto_vacuum=INCREMENTAL in ${Date.now() - started} ms (once)`);
      }
    } catch (error) {
      this.logger.error(
        `could not switch the database to auto_vacuum=INCREMENTAL, the file will not shrink: ${(error as Error).message}`,
      );
    }
  }
}
