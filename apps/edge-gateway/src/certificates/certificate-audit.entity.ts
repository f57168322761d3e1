import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who trusted or revoked which OPC UA server certificate, and when. */
@Entity({ name: 'certificate_audit' })
@Index('certificate_audit_thumbprint', ['thumbprint'])
export class CertificateAuditRecord {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 40 })
  thumbprint!: string;

  @Column({ type: 'varchar', length: 20 })
  action!: 'trust' | 'revoke';

  /** The verified caller (its token's subject). */
  @Column({ type: 'varchar', length: 64 })
  actor!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  client!: string | null;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ type: 'varchar', length: 30 })
  at!: string;
}
