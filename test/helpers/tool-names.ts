/** Every tool the server lists; a new tool is added here once and every listing test follows. */
export const TOOL_NAMES = [
  // The six tools of the Workers server this one replaces, under the same names.
  'generate_image',
  'get_job_status',
  'list_generations',
  'list_jobs',
  'wait_for_completion',
  'generate_image_and_wait',
  'list_providers',
  'delete_image',
  'edit_image',
  'gallery_link',
  'show_image',
  'transform_image',
  'save_style',
  'list_styles',
  'delete_style',
  'get_server_info',
  'get_usage',
] as const;
