import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { credentialsFor } from './credentials';

describe('OAuth 2.0 client credentials', () => {
  let server: Server;
  let tokenUrl: string;
  const forms: URLSearchParams[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        forms.push(new URLSearchParams(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ access_token: `token-${forms.length}`, token_type: 'bearer', expires_in: 3600 }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (forms.length = 0));

  const credentials = () =>
    credentialsFor({ kind: 'oauth2', tokenUrl, clientId: 'sb-plantbridge!t1', clientSecret: 'a$b=c' }, 2000);

  it('sends the client in the form body as it is (XSUAA does not URL-decode a basic header)', async () => {
    expect(await credentials().authorization('test')).toBe('Bearer token-1');
    expect(Object.fromEntries(forms[0])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'sb-plantbridge!t1',
      client_secret: 'a$b=c',
    });
  });

  it('a late 401 of a request sent with the old token does not throw away the new one', async () => {
    const oauth = credentials();
    const [first, second] = await Promise.all([oauth.authorization('a'), oauth.authorization('b')]);
    expect([first, second, forms.length]).toEqual(['Bearer token-1', 'Bearer token-1', 1]);
    expect(oauth.rejected(first)).toBe(true); // SAP refused token-1
    expect(await oauth.authorization('a')).toBe('Bearer token-2');
    oauth.rejected(first); // another request's 401, for token-1 too, arrives later
    expect(await oauth.authorization('b')).toBe('Bearer token-2');
    expect(forms).toHaveLength(2);
  });
});
