// Types for asl-validator 4.0.0 (it ships none), for the oracle spec only.
declare module 'asl-validator' {
  interface AslValidatorResult {
    isValid: boolean;
    errors: { 'Error code': string; Message: string }[];
    errorsText(separator?: string): string;
  }
  export default function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): AslValidatorResult;
}
