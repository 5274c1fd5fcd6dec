"""The tuning launch side of the emulator: CreateHyperParameterTuningJob checked as AWS checks it
(botocore's model, then the service's rules in validation.tuning_job_errors) before moto creates
the job, which then starts InProgress as a real one does; and StopHyperParameterTuningJob, which
moto lacks: InProgress -> Stopping, anything else refused as AWS refuses it.
Pure functions over moto's SageMaker backend; emulator.py hooks them into moto's responses."""
import store as st
import validation


def check_create(p):
    errs = validation.validate("sagemaker", "CreateHyperParameterTuningJob", p)
    if errs:
        raise st.ApiError("ValidationException", validation.message(errs))
    errs = validation.tuning_job_errors(p)
    if errs:
        raise st.ApiError("ValidationException", errs[0])
    return None  # valid: moto creates it


def started(backend, p):
    job = backend.hyper_parameter_tuning_jobs.get(p.get("HyperParameterTuningJobName"))
    if job is not None:
        job.hyper_parameter_tuning_job_status = "InProgress"
        job.hyper_parameter_tuning_end_time = None


def stop(backend, p):
    errs = validation.validate("sagemaker", "StopHyperParameterTuningJob", p)
    if errs:
        raise st.ApiError("ValidationException", validation.message(errs))
    name = p["HyperParameterTuningJobName"]
    job = backend.hyper_parameter_tuning_jobs.get(name)
    if job is None:
        raise st.ApiError("ResourceNotFound", f"Could not find hyper parameter tuning job "
                          f"'{name}'.")
    status = job.hyper_parameter_tuning_job_status
    if status != "InProgress":
        raise st.ApiError("ValidationException", f"The hyperparameter tuning job {name} is "
                          f"{status} and cannot be stopped; only an InProgress job can.")
    job.hyper_parameter_tuning_job_status = "Stopping"
    return {}
