import { registerDecorator, type ValidationArguments } from 'class-validator';
import { identitySecretProblems, readTagMappingFile } from './tag-mapping';

/** Problems found per config object, so the message can name each of them. */
const problems = new WeakMap<object, string[]>();

/**
 * The setting names a tag-mapping file that parses and validates; otherwise configuration fails at
 * boot with every problem of the file named (`endpoints[0].tags[3].high: …`).
 */
export function IsTagMappingFile(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTagMappingFile',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const parsed = readTagMappingFile(String(value));
          const found = parsed.ok ? identitySecretProblems(parsed.mapping, process.env) : parsed.errors;
          if (found.length > 0) problems.set(args.object, found);
          return found.length === 0;
        },
        defaultMessage(args: ValidationArguments) {
          return `the tag mapping has ${problems.get(args.object)?.length ?? 0} problem(s): ${(problems.get(args.object) ?? []).join('; ')}`;
        },
      },
    });
}
