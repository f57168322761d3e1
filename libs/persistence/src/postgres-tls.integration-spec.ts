import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCertificates, PostgresServerProcess, type TestCertificates } from '@plantbridge/testing';
import { DataSource } from 'typeorm';
import { dataSourceOptionsFor, type DatabaseSettings } from './data-source';

jest.setTimeout(60_000);

/**
 * TLS to PostgreSQL as a plant's database is set up for it: a server that accepts only TLS
 * connections with a client certificate its CA signed (`hostssl … cert`, plain TCP rejected), and
 * the service's DATABASE_TLS_* files.
 */
describe('PostgreSQL over TLS with a client certificate', () => {
  let certs: TestCertificates;
  let otherCa: TestCertificates;
  let server: PostgresServerProcess;
  const file = (name: string) => join(certs.dir, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'pg-tls-'));

  /** Opens a data source (running the platform migrations) and closes it; answers what it saw. */
  const connect = async (tls: DatabaseSettings['tls']) => {
    const dataSource = new DataSource(
      dataSourceOptionsFor({ serviceName: 'tls-check', databaseUrl: server.url(), tls, dataDir }),
    );
    await dataSource.initialize();
    try {
      const [row] = await dataSource.query(
        'SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      );
      const [migrations] = await dataSource.query('SELECT count(*)::int AS n FROM schema_migrations');
      return { ...row, migrations: migrations.n };
    } finally {
      await dataSource.destroy();
    }
  };

  beforeAll(async () => {
    // The client certificate's CN is the database user, as `cert` authentication requires.
    certs = makeTestCertificates('plantbridge');
    otherCa = makeTestCertificates('plantbridge');
    server = await PostgresServerProcess.start({
      user: 'plantbridge',
      hba: ['hostssl all all 127.0.0.1/32 cert', 'hostnossl all all 127.0.0.1/32 reject'],
      tls: { certFile: file('server.crt'), keyFile: file('server.key'), caFile: file('ca.crt') },
    });
  });
  afterAll(async () => {
    await server?.destroy();
    certs?.remove();
    otherCa?.remove();
  });

  it('connects with the CA and a client certificate, and runs its migrations over TLS', async () => {
    await expect(
      connect({ caFile: file('ca.crt'), certFile: file('client.crt'), keyFile: file('client.key') }),
    ).resolves.toEqual({ ssl: true, client_dn: '/CN=plantbridge', migrations: 2 });
  });

  it('is refused without TLS', async () => {
    await expect(connect(undefined)).rejects.toThrow(/no encryption/);
  });

  it('refuses a server whose certificate another CA signed', async () => {
    const tls = {
      caFile: join(otherCa.dir, 'ca.crt'),
      certFile: file('client.crt'),
      keyFile: file('client.key'),
    };
    await expect(connect(tls)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('is refused without a client certificate', async () => {
    await expect(connect({ caFile: file('ca.crt') })).rejects.toThrow(/certificate/i);
  });

  it('uses TLS when only the client certificate is given, verified against the system CAs', async () => {
    // Our test CA is not among the system's: refused for that, never sent in plain text.
    await expect(connect({ certFile: file('client.crt'), keyFile: file('client.key') })).rejects.toThrow(
      /self[- ]signed|unable to verify|local issuer/i,
    );
  });
});
