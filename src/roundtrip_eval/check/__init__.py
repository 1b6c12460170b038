"""The check: one candidate function run against every input of a problem.

`host` is the side that runs in the eval process (it sends the job, decodes the runner's typed
records and compares them with the expected values); `runner` is the trusted runner that runs
*inside* the sandbox. Expected values never leave the host.
"""
