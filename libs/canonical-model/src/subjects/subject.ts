import { type Capability, isCapability } from '../common/capability';
import { PLANT_PATTERN } from '../common/field-rules';
import type { EventDefinition } from '../catalog/event-definition';

/** The parts of `mfg.<capability>.v<major>.<plant>.<event>`. */
export interface SubjectParts {
  capability: Capability;
  version: number;
  plant: string;
  event: string;
}

export const SUBJECT_ROOT = 'mfg';
const EVENT_TOKEN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export class InvalidSubjectError extends Error {
  constructor(subject: string, reason: string) {
    super(`invalid subject "${subject}": ${reason}`);
    this.name = 'InvalidSubjectError';
  }
}

/** The subject one event of `definition` is published on for `plant`. */
export function subjectFor(definition: EventDefinition, plant: string): string {
  if (!PLANT_PATTERN.test(plant)) {
    throw new InvalidSubjectError(plant, `plant must match ${PLANT_PATTERN.source}`);
  }
  return `${SUBJECT_ROOT}.${definition.capability}.v${definition.version}.${plant}.${definition.name}`;
}

/** A filter subject for consumers: one plant, or every plant with `*`. */
export function subjectFilterFor(definition: EventDefinition, plant: string | '*' = '*'): string {
  return plant === '*'
    ? `${SUBJECT_ROOT}.${definition.capability}.v${definition.version}.*.${definition.name}`
    : subjectFor(definition, plant);
}

/** Every subject of a capability's stream. */
export function capabilitySubjects(capability: Capability): string {
  return `${SUBJECT_ROOT}.${capability}.>`;
}

export function parseSubject(subject: string): SubjectParts {
  const tokens = subject.split('.');
  if (tokens.length !== 5)
    throw new InvalidSubjectError(subject, 'expected mfg.<capability>.v<major>.<plant>.<event>');
  const [root, capability, major, plant, event] = tokens as [string, string, string, string, string];
  if (root !== SUBJECT_ROOT) throw new InvalidSubjectError(subject, `must start with "${SUBJECT_ROOT}."`);
  if (!isCapability(capability)) throw new InvalidSubjectError(subject, `unknown capability "${capability}"`);
  const version = /^v([1-9]\d{0,3})$/.exec(major);
  if (!version) throw new InvalidSubjectError(subject, `version token "${major}" must look like v1`);
  if (!PLANT_PATTERN.test(plant))
    throw new InvalidSubjectError(subject, `plant "${plant}" is not a plant code`);
  if (!EVENT_TOKEN.test(event)) throw new InvalidSubjectError(subject, `event "${event}" must be kebab-case`);
  return { capability, version: Number(version[1]), plant, event };
}
