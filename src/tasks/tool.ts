/** What a tool with `execution.taskSupport: 'optional'` gives src/tasks: how to start its jobs from raw arguments. */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import * as z from 'zod';
import type { RequestContext } from '../calls/context';
import type { Job } from '../jobs/model';

export interface TaskStart {
  jobs: readonly Job[];
  /** Whether the result includes inline previews, as the plain call's would. */
  preview: boolean;
}

export interface TaskTool {
  start(ctx: RequestContext, args: unknown): Promise<TaskStart>;
}

/** The tools/list entry of a task-capable tool says so; clients may then call it with params.task. */
export const TASK_OPTIONAL = { taskSupport: 'optional' } as const;

/** A task starter that validates its arguments with the tool's own input shape, as the plain call does. */
export function taskTool<Shape extends z.ZodRawShape>(
  shape: Shape,
  start: (ctx: RequestContext, args: z.output<z.ZodObject<Shape>>) => Promise<TaskStart>,
): TaskTool {
  const schema = z.object(shape);
  return {
    async start(ctx, args) {
      const parsed = await schema.safeParseAsync(args ?? {});
      if (!parsed.success)
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Input validation error: ${z.prettifyError(parsed.error)}`,
        );
      return start(ctx, parsed.data);
    },
  };
}
