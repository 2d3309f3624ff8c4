/** Every tool, registered once; both transports build their server from this list. */
import type { ToolRegistrar } from './define';
import { registerDeleteImage } from './delete-image';
import { registerEditImage } from './edit-image';
import { registerGalleryLink } from './gallery-link';
import { registerGenerateImage } from './generate-image';
import { registerGenerateImageAndWait } from './generate-image-and-wait';
import { registerGetJobStatus } from './get-job-status';
import { registerListGenerations } from './list-generations';
import { registerListJobs } from './list-jobs';
import { registerListProviders } from './list-providers';
import { registerShowImage } from './show-image';
import { registerWaitForCompletion } from './wait-for-completion';

export const tools: readonly ToolRegistrar[] = [
  registerGenerateImage,
  registerGetJobStatus,
  registerListGenerations,
  registerListJobs,
  registerWaitForCompletion,
  registerGenerateImageAndWait,
  registerListProviders,
  registerDeleteImage,
  registerEditImage,
  registerGalleryLink,
  registerShowImage,
];
