/** Every tool, registered once; both transports build their server from this list. */
import type { TaskTool } from '../tasks/tool';
import type { ToolRegistrar } from './define';
import { registerDeleteImage } from './delete-image';
import { registerDeleteStyle } from './delete-style';
import { name as editImageName, task as editImageTask, registerEditImage } from './edit-image';
import { registerGalleryLink } from './gallery-link';
import { registerGenerateImage } from './generate-image';
import {
  name as generateAndWaitName,
  task as generateAndWaitTask,
  registerGenerateImageAndWait,
} from './generate-image-and-wait';
import { registerGetJobStatus } from './get-job-status';
import { registerGetServerInfo } from './get-server-info';
import { registerListGenerations } from './list-generations';
import { registerListJobs } from './list-jobs';
import { registerListProviders } from './list-providers';
import { registerListStyles } from './list-styles';
import { registerSaveStyle } from './save-style';
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
  registerSaveStyle,
  registerListStyles,
  registerDeleteStyle,
  registerGetServerInfo,
];

/** The tools that also take task-augmented calls (their config says `execution: { taskSupport: 'optional' }`). */
export const taskTools: Readonly<Record<string, TaskTool>> = {
  [generateAndWaitName]: generateAndWaitTask,
  [editImageName]: editImageTask,
};
