namespace PoolAnalyzers.Runtime;

/// <summary>
/// Reads the extended parameters of ExAllocatePool3 into <see cref="AllocationOptions"/>. A required
/// parameter (<see cref="POOL_EXTENDED_PARAMETER.Optional"/> false) the allocator cannot recognise or
/// honour fails the call; an optional one is then ignored. A malformed array fails the call whatever
/// its entries say: a null array with a nonzero count, a count other than the array's length (C would
/// read past the array or ignore part of it; here both are the caller's mistake), or one type twice.
/// </summary>
internal static class ExtendedParameterReader
{
    public enum Problem
    {
        None,
        NullArrayWithCount,
        CountMismatch,
        Duplicate,
        UnrecognizedType,
        InvalidPriority,
        NoSecurePool,
        NumaNodeWithoutNonPagedPool,
    }

    /// <summary>Adds what <paramref name="parameters"/> ask for to <paramref name="options"/>, or reports the first problem and the index of the entry that has it.</summary>
    public static Problem Apply(POOL_EXTENDED_PARAMETER[]? parameters, uint count, POOL_TYPE poolType, ref AllocationOptions options, out int index)
    {
        index = -1;
        if (parameters is null)
        {
            return count == 0 ? Problem.None : Problem.NullArrayWithCount;
        }

        if ((uint)parameters.Length != count)
        {
            return Problem.CountMismatch;
        }

        int seen = 0;
        for (index = 0; index < parameters.Length; index++)
        {
            POOL_EXTENDED_PARAMETER parameter = parameters[index];
            bool required = !parameter.Optional;
            switch (parameter.Type)
            {
                case POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority:
                case POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterSecurePool:
                case POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterNumaNode:
                    int bit = 1 << (int)parameter.Type;
                    if ((seen & bit) != 0)
                    {
                        return Problem.Duplicate;
                    }

                    seen |= bit;
                    break;
                default:
                    if (required)
                    {
                        return Problem.UnrecognizedType;
                    }

                    continue;
            }

            Problem problem = parameter.Type switch
            {
                POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority => ApplyPriority(parameter.Priority, ref options),
                POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterSecurePool => Problem.NoSecurePool,

                // One NUMA node: every nonpaged block is local to it; other pools cannot take a node.
                _ => PoolTypes.IsPaged(poolType) || (poolType & POOL_TYPE.POOL_NX_ALLOCATION) == 0 ? Problem.NumaNodeWithoutNonPagedPool : Problem.None,
            };

            if (problem != Problem.None && required)
            {
                return problem;
            }
        }

        index = -1;
        return Problem.None;
    }

    /// <summary>Why <see cref="Apply"/> refused the array, for the raised status's message.</summary>
    public static string Describe(Problem problem, POOL_EXTENDED_PARAMETER[]? parameters, uint count, int index)
    {
        string entry = index >= 0 && parameters is not null && index < parameters.Length
            ? $"ExtendedParameters[{index}] (Type {parameters[index].Type}, Priority {parameters[index].Priority})"
            : "ExtendedParameters";
        return problem switch
        {
            Problem.NullArrayWithCount => $"ExtendedParameters is null but ExtendedParametersCount is {count}",
            Problem.CountMismatch => $"ExtendedParametersCount is {count} but the array holds {parameters?.Length ?? 0} parameters",
            Problem.Duplicate => $"{entry} repeats a parameter type given earlier",
            Problem.UnrecognizedType => $"{entry} is required but its type is not one the allocator recognises",
            Problem.InvalidPriority => $"{entry} is required but its priority is not an EX_POOL_PRIORITY value",
            Problem.NoSecurePool => $"{entry} is required but this runtime has no secure pools (ExCreatePool)",
            Problem.NumaNodeWithoutNonPagedPool => $"{entry} is required but a NUMA node applies to POOL_FLAG_NON_PAGED pool only",
            _ => "no problem",
        };
    }

    private static Problem ApplyPriority(EX_POOL_PRIORITY priority, ref AllocationOptions options)
    {
        if (!PoolFlagTranslation.TryTranslate(priority, out AllocationOptions added))
        {
            return Problem.InvalidPriority;
        }

        options |= added;
        return Problem.None;
    }
}
