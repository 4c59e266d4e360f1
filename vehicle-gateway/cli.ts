// The vehicle gateway's command line: engineer mode (flash one ECU, read the inventory) and connected mode
// (`run`, the TCU process talking MQTT to the backend). `npm run gateway -- --help`.
import { Command } from 'commander';
import { addFlags } from '../runtime/cli-flags.ts';
import { stopOnSignals } from '../runtime/shutdown.ts';
import { CliError, EXIT, EXIT_CODES_HELP } from './cli/cli-error.ts';
import type { FlashCommandOptions } from './cli/flash-command.ts';
import type { GatewayService } from './connected/gateway-service.ts';
import { GATEWAY_FLAGS } from './cli/flags.ts';

// Each command loads its modules when it runs, so `--help` and usage errors answer without loading the
// UDS stack, MQTT and the verifier (start-up is most of a small flash's wall time on a TCU).
const openTransport = async (iface: string) => (await import('@ota/uds')).openSocketCan(iface);

const program = new Command()
  .name('gateway')
  .description('Vehicle gateway (TCU): flashes ECUs over UDS on CAN; connected mode receives updates over MQTT')
  .showHelpAfterError()
  .addHelpText('after', `\n${EXIT_CODES_HELP}`)
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

addFlags(
  program
    .command('flash')
    .description('engineer mode: program one ECU with an image (verify identity, erase, download, check, reset)'),
  GATEWAY_FLAGS.flash,
).action(async (o: FlashCommandOptions) => {
  const { formatFlashOutcome, runFlashCommand } = await import('./cli/flash-command.ts');
  const { endProgress, progressPrinter } = await import('./cli/progress-bar.ts');
  const outcome = await runFlashCommand(o, openTransport, progressPrinter());
  endProgress();
  process.stdout.write(`${formatFlashOutcome(outcome)}\n`);
  if (outcome.status === 'failed') {
    const unreachable =
      outcome.step === 'identify' && outcome.nrc === null && /no response|timed? ?out/i.test(outcome.error);
    process.exitCode = unreachable ? EXIT.unreachable : EXIT.flashFailed;
  }
});

addFlags(
  program
    .command('inventory')
    .description('read identification, version, image hash and active bank of every ECU in a vehicle file'),
  GATEWAY_FLAGS.inventory,
)
  .addHelpText(
    'after',
    `\nA DID an ECU refuses is named with its NRC and the other values are still read and printed.\n${EXIT_CODES_HELP}`,
  )
  .action(async (o: { vehicle: string; can?: string; timingMarginMs?: number; json?: boolean }) => {
    const { inventoryExitCode, runInventoryCommand } = await import('./cli/inventory-command.ts');
    const { formatInventoryTable } = await import('./inventory/read-inventory.ts');
    const rows = await runInventoryCommand(o, openTransport);
    process.stdout.write(o.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatInventoryTable(rows)}\n`);
    process.exitCode = inventoryExitCode(rows);
  });

addFlags(
  program.command('run').description('connected mode: the TCU process (MQTT to the backend, UDS to the ECUs)'),
  GATEWAY_FLAGS.run,
).action(async (o: { config: string }) => {
  const { ConfigError, loadGatewayConfig } = await import('./connected/config.ts');
  const { GatewayService } = await import('./connected/gateway-service.ts');
  let config;
  try {
    config = await loadGatewayConfig(o.config);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  let service: GatewayService;
  try {
    service = await GatewayService.start(config, { openTransport, log });
  } catch (err) {
    throw new CliError(
      `cannot start: ${(err as Error).message}`,
      err instanceof ConfigError ? EXIT.usage : EXIT.unreachable,
    );
  }
  log(
    `connected to ${config.broker.url} (MQTT ${service.mqtt.protocolVersion === 5 ? '5' : '3.1.1'}), ${service.vehicle.ecus.length} ECUs`,
  );
  stopOnSignals(() => service.stop(), { log });
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`gateway: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(
      `gateway: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = EXIT.flashFailed;
  }
}
