import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { ServiceConfig } from './service-config';
import { IntSetting, IsReadableFile } from './setting-rules';

/** Settings of a service that calls ERP (SAP S/4HANA OData by default). */
export class ErpServiceConfig extends ServiceConfig {
  /** Scheme, host and port of the SAP gateway; the default is `tools/erp-simulator`'s. */
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'ERP_BASE_URL must be an http(s):// URL' })
  ERP_BASE_URL = 'http://127.0.0.1:4300';

  /**
   * How to authenticate at SAP: `basic` (a communication user: ERP_USER, ERP_PASSWORD), `oauth2`
   * (client credentials: ERP_OAUTH_TOKEN_URL, ERP_OAUTH_CLIENT_ID, ERP_OAUTH_CLIENT_SECRET,
   * ERP_OAUTH_SCOPE), `x509` (a client certificate: ERP_CLIENT_CERT_FILE, ERP_CLIENT_KEY_FILE,
   * ERP_CLIENT_KEY_PASSPHRASE, ERP_CA_FILE) or `none`. Unset: basic when ERP_USER is set, else none.
   * Every secret may come from a file instead (ERP_PASSWORD_FILE, …), as Kubernetes mounts secrets.
   */
  @IsOptional()
  @IsIn(['none', 'basic', 'oauth2', 'x509'], { message: 'ERP_AUTH must be none, basic, oauth2 or x509' })
  @ValidateBy({
    name: 'x509NeedsHttps',
    validator: {
      validate: (auth, args) =>
        auth !== 'x509' || (args?.object as ErpServiceConfig).ERP_BASE_URL.startsWith('https://'),
      defaultMessage: () =>
        'ERP_AUTH=x509 needs an https:// ERP_BASE_URL: a certificate is presented only over TLS',
    },
  })
  ERP_AUTH?: 'none' | 'basic' | 'oauth2' | 'x509';

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'basic' || c.ERP_USER !== undefined)
  @IsString({ message: 'ERP_USER is needed for ERP_AUTH=basic' })
  ERP_USER?: string;

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'basic' || c.ERP_USER !== undefined)
  @IsString({ message: 'ERP_PASSWORD (or ERP_PASSWORD_FILE) is needed with ERP_USER' })
  @IsNotEmpty({ message: 'ERP_PASSWORD must not be empty' })
  ERP_PASSWORD?: string;

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'oauth2' || c.ERP_OAUTH_TOKEN_URL !== undefined)
  @Matches(/^https?:\/\/\S+$/, { message: 'ERP_OAUTH_TOKEN_URL must be an http(s):// URL' })
  ERP_OAUTH_TOKEN_URL?: string;

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'oauth2')
  @IsString({ message: 'ERP_OAUTH_CLIENT_ID is needed for ERP_AUTH=oauth2' })
  ERP_OAUTH_CLIENT_ID?: string;

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'oauth2')
  @IsString({
    message: 'ERP_OAUTH_CLIENT_SECRET (or ERP_OAUTH_CLIENT_SECRET_FILE) is needed for ERP_AUTH=oauth2',
  })
  @IsNotEmpty({ message: 'ERP_OAUTH_CLIENT_SECRET must not be empty' })
  ERP_OAUTH_CLIENT_SECRET?: string;

  @IsOptional()
  @IsString()
  ERP_OAUTH_SCOPE?: string;

  /** PEM files of the client certificate and its key, and of the CA that signed SAP's server certificate. */
  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'x509' || c.ERP_CLIENT_CERT_FILE !== undefined)
  @IsReadableFile()
  ERP_CLIENT_CERT_FILE?: string;

  @ValidateIf((c: ErpServiceConfig) => c.ERP_AUTH === 'x509' || c.ERP_CLIENT_KEY_FILE !== undefined)
  @IsReadableFile()
  ERP_CLIENT_KEY_FILE?: string;

  @IsOptional()
  @IsString()
  ERP_CLIENT_KEY_PASSPHRASE?: string;

  @IsOptional()
  @IsReadableFile()
  ERP_CA_FILE?: string;

  /** SAP client (mandant), sent as `sap-client`; the system default when unset. */
  @IsOptional()
  @Matches(/^\d{3}$/, { message: 'ERP_SAP_CLIENT must be three digits' })
  ERP_SAP_CLIENT?: string;

  /** Per ERP request. A posting that times out is in doubt and looked up before any retry. */
  @IntSetting(100)
  ERP_TIMEOUT_MS = 10_000;

  /**
   * The longest ERP may still be working on a request after sending it, whatever became of the
   * answer: SAP keeps running (and may commit) a request whose HTTP connection the gateway or our
   * timeout already closed, until its work process's runtime limit (rdisp/max_wprun_time,
   * rdisp/scheduler/prio_normal/max_runtime; 600 s by default). A posting in doubt is looked up at
   * once, but sent again only when the lookup finds nothing after this much time since it was sent;
   * sooner, ERP might commit the first one after the lookup, and both would stand.
   */
  @IntSetting(0)
  ERP_REQUEST_LIMIT_MS = 600_000;

  /** A posting ERP keeps refusing with outages or throttling goes to the exception queue after this. */
  @IntSetting(1000)
  POSTING_GIVE_UP_AFTER_MS = 24 * 60 * 60 * 1000;

  /** The longest wait between two posting attempts while ERP is unavailable. */
  @IntSetting(100)
  POSTING_RETRY_MAX_DELAY_MS = 60_000;

  /**
   * ERP requests at once from one replica to each ERP endpoint (OData service); more wait in line.
   * Posting rate ≤ this × ERP_BATCH_SIZE ÷ ERP latency.
   */
  @IntSetting(1, 1024)
  ERP_MAX_IN_FLIGHT = 32;

  /**
   * Other limits for some endpoints, e.g. `API_PRODUCTION_ORDER_2_SRV=2,API_PROD_ORDER_CONFIRMATION_2_SRV=64`:
   * to keep order polling from taking a shared gateway's capacity, or to match a quota SAP Basis set.
   */
  @IsOptional()
  @Matches(
    /^[A-Za-z0-9_]+=([1-9]\d{0,2}|10[01]\d|102[0-4])(,[A-Za-z0-9_]+=([1-9]\d{0,2}|10[01]\d|102[0-4]))*$/,
    {
      message: 'ERP_MAX_IN_FLIGHT_BY_ENDPOINT must be SERVICE=N pairs separated by commas, N from 1 to 1024',
    },
  )
  ERP_MAX_IN_FLIGHT_BY_ENDPOINT?: string;

  /**
   * Most confirmations in one OData `$batch` request (each its own changeset, so ERP applies or
   * refuses each alone). Postings that are ready in the same instant go together; 1 sends one POST each.
   */
  @IntSetting(1, 1000)
  ERP_BATCH_SIZE = 50;

  /** Attempts per call on 429/503/network errors (the first included) before the caller takes over. */
  @IntSetting(1, 10)
  ERP_RETRY_MAX_ATTEMPTS = 3;

  /** Consecutive failed calls that open the circuit breaker. */
  @IntSetting(1)
  ERP_BREAKER_THRESHOLD = 5;

  /** How long the breaker stays open before one trial call. */
  @IntSetting(100)
  ERP_BREAKER_HALF_OPEN_MS = 10_000;
}
