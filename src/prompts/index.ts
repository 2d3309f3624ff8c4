/** Every prompt, registered once on each server alongside the tools. */
import type { ToolRegistrar } from '../tools/define';
import { registerApplyStyle } from './apply-style';
import { registerPromptGuide } from './prompt-guide';
import { registerSelectProvider } from './select-provider';

export const prompts: readonly ToolRegistrar[] = [registerSelectProvider, registerApplyStyle, registerPromptGuide];
