/** Every tool, registered once; both transports build their server from this list. */
import type { TaskTool } from '../tasks/tool';
import type { ToolRegistrar } from './define';
import * as deleteImage from './delete-image';
import * as deleteStyle from './delete-style';
import * as editImage from './edit-image';
import * as galleryLink from './gallery-link';
import * as generateImage from './generate-image';
import * as generateImageAndWait from './generate-image-and-wait';
import * as getJobStatus from './get-job-status';
import * as getServerInfo from './get-server-info';
import * as getUsage from './get-usage';
import * as listGenerations from './list-generations';
import * as listJobs from './list-jobs';
import * as listProviders from './list-providers';
import * as listStyles from './list-styles';
import * as saveStyle from './save-style';
import * as showImage from './show-image';
import * as transformImage from './transform-image';
import * as waitForCompletion from './wait-for-completion';

/** Each tool by name, in the order tools/list shows them. */
export const toolsByName: ReadonlyMap<string, ToolRegistrar> = new Map([
  [generateImage.name, generateImage.registerGenerateImage],
  [getJobStatus.name, getJobStatus.registerGetJobStatus],
  [listGenerations.name, listGenerations.registerListGenerations],
  [listJobs.name, listJobs.registerListJobs],
  [waitForCompletion.name, waitForCompletion.registerWaitForCompletion],
  [generateImageAndWait.name, generateImageAndWait.registerGenerateImageAndWait],
  [listProviders.name, listProviders.registerListProviders],
  [deleteImage.name, deleteImage.registerDeleteImage],
  [editImage.name, editImage.registerEditImage],
  [galleryLink.name, galleryLink.registerGalleryLink],
  [showImage.name, showImage.registerShowImage],
  [transformImage.name, transformImage.registerTransformImage],
  [saveStyle.name, saveStyle.registerSaveStyle],
  [listStyles.name, listStyles.registerListStyles],
  [deleteStyle.name, deleteStyle.registerDeleteStyle],
  [getServerInfo.name, getServerInfo.registerGetServerInfo],
  [getUsage.name, getUsage.registerGetUsage],
]);

export const tools: readonly ToolRegistrar[] = [...toolsByName.values()];

/**
 * The tools that are not read-only (they make, change or delete a subject's images and styles, or spend its
 * providers' credit): an OAuth grant needs images:write for them (src/http/scopes.ts).
 */
export const WRITE_TOOLS: ReadonlySet<string> = new Set(
  [
    deleteImage,
    deleteStyle,
    editImage,
    galleryLink,
    generateImage,
    generateImageAndWait,
    getJobStatus,
    getServerInfo,
    getUsage,
    listGenerations,
    listJobs,
    listProviders,
    listStyles,
    saveStyle,
    showImage,
    transformImage,
    waitForCompletion,
  ]
    .filter((tool) => !tool.config.annotations.readOnlyHint)
    .map((tool) => tool.name),
);

/** The tools that also take task-augmented calls (their config says `execution: { taskSupport: 'optional' }`). */
export const taskTools: ReadonlyMap<string, TaskTool> = new Map([
  [generateImageAndWait.name, generateImageAndWait.task],
  [editImage.name, editImage.task],
]);
