/** A planned GenerationRequest for provider tests: a unique prompt and no options, with the fields a test sets. */
import type { GenerationRequest } from '../../src/providers/types';

export function generationRequest(
  fields: Pick<GenerationRequest, 'model' | 'width' | 'height'> & Partial<GenerationRequest>,
): GenerationRequest {
  return {
    negativePrompt: null,
    aspectRatio: null,
    resolution: null,
    seed: null,
    steps: null,
    quality: null,
    outputFormat: null,
    background: null,
    ...fields,
    prompt: `${fields.prompt ?? 'a lighthouse at dusk'} ${crypto.randomUUID()}`,
  };
}
