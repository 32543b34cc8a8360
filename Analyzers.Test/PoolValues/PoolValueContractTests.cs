using System;
using System.Collections.Generic;
using System.Linq;
using PoolAnalyzers.Runtime;
using Xunit;

namespace PoolAnalyzers.Test.PoolValues;

/// <summary>
/// The analyzers' knowledge of <c>POOL_TYPE</c> and <c>POOL_FLAGS</c> (<see cref="PoolTypeValue"/>,
/// <see cref="PoolFlagsValue"/>) against the runtime's enums, and the translation between them
/// (<see cref="PoolTypeTranslation"/>) over every pool type value there is.
/// </summary>
public sealed class PoolValueContractTests
{
    [Fact]
    public void EveryPoolTypeNameTheAnalyzersWrite_IsARuntimeMemberWithThatValue()
    {
        var failures = new List<string>();
        for (long baseType = 0; baseType <= PoolTypeValue.BaseTypeMask; baseType++)
        {
            Check(PoolTypeValue.BaseName(baseType), baseType);
            Check(PoolTypeValue.NoExecuteName(baseType), baseType | PoolTypeValue.NoExecute);
        }

        foreach ((long value, string name) in PoolTypeValue.Modifiers)
        {
            Check(name, value);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        void Check(string? name, long value)
        {
            if (name is not null && (!Enum.TryParse(name, out POOL_TYPE member) || (long)member != value))
            {
                failures.Add($"{name} is not POOL_TYPE {value}");
            }
        }
    }

    [Fact]
    public void EveryRuntimePoolTypeMember_HasTheNameTheAnalyzersGiveItsValue()
    {
        foreach (POOL_TYPE member in Enum.GetValues<POOL_TYPE>())
        {
            List<string>? names = PoolTypeValue.Names((long)member);
            Assert.NotNull(names);
            Assert.True(Enum.GetNames<POOL_TYPE>().Intersect(names).Count() == names.Count, $"{member}: {string.Join(", ", names)}");
            Assert.Equal((long)member, names.Select(n => (long)Enum.Parse<POOL_TYPE>(n)).Aggregate(0L, (a, b) => a | b));
        }
    }

    [Fact]
    public void EveryPoolFlagsName_IsTheRuntimeMemberWithThatValue()
    {
        foreach ((ulong value, string name) in PoolFlagsValue.Members)
        {
            Assert.True(Enum.TryParse(name, out POOL_FLAGS member) && (ulong)member == value, $"{name} is not POOL_FLAGS 0x{value:X}");
        }

        // Every flag the runtime defines is named (the markers share values with real flags).
        foreach (POOL_FLAGS member in Enum.GetValues<POOL_FLAGS>())
        {
            if (!Enum.GetName(member)!.EndsWith("_START", StringComparison.Ordinal) && !Enum.GetName(member)!.EndsWith("_END", StringComparison.Ordinal))
            {
                Assert.Contains(PoolFlagsValue.Members, m => m.Value == (ulong)member);
            }
        }
    }

    [Fact]
    public void ValidFlags_AreWhatTheRuntimeAccepts()
    {
        // Every required bit alone and with each pool flag, and the optional ones: the analyzers' rule and the runtime's agree.
        var values = new List<ulong> { 0 };
        for (int bit = 0; bit < 64; bit++)
        {
            ulong flag = 1UL << bit;
            values.Add(flag);
            values.Add(flag | PoolFlagsValue.Paged);
            values.Add(flag | PoolFlagsValue.NonPaged);
            values.Add(flag | PoolFlagsValue.NonPagedExecute);
        }

        using var machine = new KernelSystem(new SystemConfiguration { PhysicalMemoryBytes = 256UL << 20 });
        using KernelSystem.Scope scope = machine.Enter();
        foreach (ulong flags in values)
        {
            bool valid = PoolFlagsValue.Validate(flags, out _) == PoolFlagsProblem.None;

            // Quota needs a process to charge, special pool the verifier, and raising changes only how a refusal
            // shows: leave them out of the request, not the check.
            ulong request = flags & ~(PoolFlagsValue.UseQuota | PoolFlagsValue.SpecialPool | PoolFlagsValue.RaiseOnFailure);
            if (valid != (PoolFlagsValue.Validate(request, out _) == PoolFlagsProblem.None))
            {
                continue;
            }

            nint block = Ex.ExAllocatePool2((POOL_FLAGS)request, 64, "Test");
            Assert.True(valid == (block != 0), $"POOL_FLAGS 0x{flags:X}: the analyzers say {(valid ? "valid" : "invalid")}, the runtime {(block != 0 ? "allocated" : "refused")}");
            if (block != 0)
            {
                Ex.ExFreePoolWithTag(block, "Test");
            }
        }
    }

    /// <summary>Every known pool type, for both kinds of routine: the translation keeps the pool, NX, alignment, session and failure mode.</summary>
    [Fact]
    public void Translation_KeepsTheMeaningOfEveryPoolType()
    {
        for (long poolType = 0; poolType <= PoolTypeValue.KnownBits; poolType++)
        {
            foreach (bool quota in new[] { false, true })
            {
                TranslationProblem problem = PoolTypeTranslation.Translate(poolType, quota, out ulong flags);
                string context = $"pool type 0x{poolType:X}{(quota ? " (quota)" : string.Empty)} → 0x{flags:X}";
                if (!PoolTypeValue.IsKnown(poolType))
                {
                    Assert.Equal(TranslationProblem.UnknownBits, problem);
                    continue;
                }

                bool failInstead = (poolType & PoolTypeValue.QuotaFailInsteadOfRaise) != 0;
                bool raiseBit = (poolType & PoolTypeValue.RaiseIfAllocationFailure) != 0;
                if ((poolType & PoolTypeValue.MustSucceed) != 0)
                {
                    Assert.Equal(TranslationProblem.MustSucceed, problem);
                    continue;
                }

                if (quota && failInstead && raiseBit)
                {
                    Assert.Equal(TranslationProblem.ContradictoryFailureModes, problem);
                    continue;
                }

                Assert.True(problem == TranslationProblem.None, context);
                Assert.True(PoolFlagsValue.Validate(flags, out _) == PoolFlagsProblem.None, context);
                bool paged = (poolType & PoolTypeValue.Paged) != 0;
                Assert.True(paged == ((flags & PoolFlagsValue.Paged) != 0), context);
                Assert.True((!paged && (poolType & PoolTypeValue.NoExecute) != 0) == ((flags & PoolFlagsValue.NonPaged) != 0), context);
                Assert.True((!paged && (poolType & PoolTypeValue.NoExecute) == 0) == ((flags & PoolFlagsValue.NonPagedExecute) != 0), context);
                Assert.True(((poolType & PoolTypeValue.CacheAligned) != 0) == ((flags & PoolFlagsValue.CacheAligned) != 0), context);
                Assert.True(((poolType & PoolTypeValue.Session) != 0) == ((flags & PoolFlagsValue.Session) != 0), context);
                Assert.True(quota == ((flags & PoolFlagsValue.UseQuota) != 0), context);
                Assert.True((quota ? !failInstead : raiseBit) == ((flags & PoolFlagsValue.RaiseOnFailure) != 0), context);
                Assert.True((flags & PoolFlagsValue.Uninitialized) == 0, context);
                Assert.NotNull(PoolFlagsValue.Names(flags));
            }
        }
    }

    [Theory]
    [InlineData(POOL_TYPE.NonPagedPoolNx, POOL_FLAGS.POOL_FLAG_NON_PAGED)]
    [InlineData(POOL_TYPE.NonPagedPool, POOL_FLAGS.POOL_FLAG_NON_PAGED_EXECUTE)]
    [InlineData(POOL_TYPE.PagedPool, POOL_FLAGS.POOL_FLAG_PAGED)]
    [InlineData(POOL_TYPE.NonPagedPoolNxCacheAligned, POOL_FLAGS.POOL_FLAG_NON_PAGED | POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED)]
    [InlineData(POOL_TYPE.PagedPoolCacheAlignedSession, POOL_FLAGS.POOL_FLAG_PAGED | POOL_FLAGS.POOL_FLAG_CACHE_ALIGNED | POOL_FLAGS.POOL_FLAG_SESSION)]
    public void TranslateBack_IsTheInverseForPlainPoolTypes(POOL_TYPE poolType, POOL_FLAGS flags)
    {
        Assert.Equal(TranslationProblem.None, PoolTypeTranslation.Translate((long)poolType, quota: false, out ulong translated));
        Assert.Equal((ulong)flags, translated);
        Assert.Equal((long)poolType, PoolTypeTranslation.TranslateBack((ulong)flags));
    }

    [Fact]
    public void TranslateBack_NothingForQuotaOrInvalidFlags()
    {
        Assert.Null(PoolTypeTranslation.TranslateBack(PoolFlagsValue.Paged | PoolFlagsValue.UseQuota));
        Assert.Null(PoolTypeTranslation.TranslateBack(PoolFlagsValue.Paged | PoolFlagsValue.NonPaged));
        Assert.Null(PoolTypeTranslation.TranslateBack(0));
    }
}
