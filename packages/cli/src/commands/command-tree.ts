import type { CommandGroup } from './command.js';
import { gatewayHealthCommand, gatewayInfoCommand } from './gateway/gateway-commands.js';
import { sandboxConnectCommand } from './sandbox/sandbox-connect-command.js';
import { sandboxCreateCommand } from './sandbox/sandbox-create-command.js';
import { sandboxDeleteCommand } from './sandbox/sandbox-delete-command.js';
import { sandboxGetCommand } from './sandbox/sandbox-get-command.js';
import { sandboxExecCommand } from './sandbox/sandbox-exec-command.js';
import { sandboxListCommand } from './sandbox/sandbox-list-command.js';
import { sandboxLogsCommand } from './sandbox/sandbox-logs-command.js';
import { sandboxStartCommand, sandboxStopCommand } from './sandbox/sandbox-stop-start-commands.js';
import { sandboxWatchCommand } from './sandbox/sandbox-watch-command.js';
import {
  workspaceCreateCommand,
  workspaceDeleteCommand,
  workspaceGetCommand,
  workspaceListCommand,
} from './workspace/workspace-commands.js';

/** Every command `shellgate` knows; a new command slots in as one more child. */
export const COMMAND_TREE: CommandGroup = {
  name: 'shellgate',
  summary: 'Command line for a Shellgate gateway: create, inspect and remove AI-agent sandboxes.',
  children: [
    {
      name: 'sandbox',
      summary: 'Create, inspect, stop, start and delete sandboxes; run commands and read logs in them',
      children: [
        sandboxCreateCommand,
        sandboxGetCommand,
        sandboxListCommand,
        sandboxDeleteCommand,
        sandboxStopCommand,
        sandboxStartCommand,
        sandboxWatchCommand,
        sandboxExecCommand,
        sandboxConnectCommand,
        sandboxLogsCommand,
      ],
      examples: ['shellgate sandbox create dev --wait', 'shellgate sandbox list -A', 'shellgate sandbox exec dev -- ls', 'shellgate sandbox logs dev -f'],
    },
    {
      name: 'workspace',
      summary: 'Manage workspaces, the namespaces sandboxes live in',
      children: [workspaceCreateCommand, workspaceGetCommand, workspaceListCommand, workspaceDeleteCommand],
      examples: ['shellgate workspace create team-ml', 'shellgate workspace list'],
    },
    {
      name: 'gateway',
      summary: 'Ask the gateway about itself',
      children: [gatewayInfoCommand, gatewayHealthCommand],
      examples: ['shellgate gateway info', 'shellgate gateway health'],
    },
  ],
  examples: [
    'shellgate sandbox create dev --image node:20 --wait',
    'shellgate sandbox list -o json',
    'shellgate --gateway https://gw.example:17670 --tls-ca ca.pem --token-file ~/.shellgate/token gateway info',
  ],
};
